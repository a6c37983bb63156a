/**
 * Evaluating a whole stack the way `pulumi preview --policy-pack` does: every resource through `Analyze`, then all of
 * them through `AnalyzeStack`; and printing the result the way the CLI prints policy violations.
 */
import { urnOf } from "./proto.js";
import type { Analyzer, ResourceRecord, Violation } from "./types.js";

export interface LocatedViolation extends Violation {
  /** Type and name of the resource the violation is about, when known. */
  resourceType?: string;
  resourceName?: string;
}

export interface Evaluation {
  violations: LocatedViolation[];
  resources: number;
  mandatory: number;
  advisory: number;
}

/** Runs resource policies on each resource, then stack policies on all of them. */
export async function evaluateStack(analyzer: Analyzer, resources: readonly ResourceRecord[]): Promise<Evaluation> {
  const byUrn = new Map(resources.map((r) => [urnOf(r), r]));
  const found: Violation[] = [];
  for (const resource of resources) found.push(...(await analyzer.analyze(resource)));
  found.push(...(await analyzer.analyzeStack(resources)));
  const violations = found.map((v) => {
    const r = v.urn !== undefined ? byUrn.get(v.urn) : undefined;
    return r === undefined ? v : { ...v, resourceType: r.type, resourceName: r.name };
  });
  return {
    violations,
    resources: resources.length,
    mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
    advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
  };
}

/**
 * The violations as `pulumi preview --policy-pack` lists them:
 *
 *     Policy Violations:
 *         [mandatory]  mcp-fleet v0.1.0  mcp-container-not-privileged (kubernetes:apps/v1:Deployment: mcp-memory-deploy)
 *         Containers must not be privileged.
 *         Container `server` of Deployment `mcp-memory` must not be privileged. Remove `privileged: true`.
 */
export function formatViolations(evaluation: Evaluation, pack: { name: string; version: string }): string {
  if (evaluation.violations.length === 0) return "";
  const order = (v: LocatedViolation) => (v.enforcementLevel === "mandatory" ? 0 : 1);
  const sorted = [...evaluation.violations].sort((a, b) => order(a) - order(b));
  const lines = ["Policy Violations:"];
  for (const v of sorted) {
    const where = v.resourceType !== undefined ? ` (${v.resourceType}: ${v.resourceName})` : "";
    lines.push(`    [${v.enforcementLevel}]  ${pack.name} v${pack.version}  ${v.policyName}${where}`);
    for (const line of v.message.split("\n")) lines.push(`    ${line}`);
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
