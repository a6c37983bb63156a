/**
 * Argument checks shared by the components: pure, so tests assert the exact messages without Pulumi.
 * Every message names the field in backticks and says the fix.
 */
import { DNS1123_LABEL } from "../../servers/catalog/spec.js";
import type { AutoscalingInput } from "./builders/objects.js";

/** Args are invalid; the message lists every problem, one per line, after the component's type and name. */
export class ComponentArgsError extends Error {
  constructor(
    component: string,
    readonly problems: string[],
  ) {
    super(`${component}: ${problems.length === 1 ? problems[0] : `\n${problems.map((p) => `  - ${p}`).join("\n")}`}`);
    this.name = "ComponentArgsError";
  }
}

export function checkNamespace(field: string, value: unknown): string[] {
  if (typeof value !== "string" || !DNS1123_LABEL.test(value)) {
    return [`\`${field}\` ${JSON.stringify(value)} is not a valid namespace name. Use a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters (e.g. mcp-fleet).`];
  }
  return [];
}

export function checkImage(field: string, value: unknown): string[] {
  if (typeof value !== "string" || !/^[a-z0-9][a-z0-9._\-/:@]*$/.test(value)) {
    return [`\`${field}\` ${JSON.stringify(value)} is not an image reference. Give a pinned image such as ghcr.io/org/mcp-fleet-gateway:0.1.0.`];
  }
  if (!/[:@][^/]+$/.test(value) || value.endsWith(":latest")) {
    return [`\`${field}\` "${value}" is not pinned. Add a version tag or a digest (e.g. ${value.replace(/:latest$/, "")}:0.1.0); \`latest\` does not roll pods when it changes.`];
  }
  return [];
}

export function checkReplicas(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
    return [`\`${field}\` ${JSON.stringify(value)} is not a replica count. Use a whole number from 0 to 100.`];
  }
  return [];
}

export function checkAutoscaling(field: string, a: AutoscalingInput | undefined): string[] {
  if (a === undefined) return [];
  const problems: string[] = [];
  if (!Number.isInteger(a.minReplicas) || a.minReplicas < 1) {
    problems.push(`\`${field}.minReplicas\` ${a.minReplicas} must be a whole number of at least 1. An autoscaler never scales to zero; drop \`${field}\` to run a fixed replica count.`);
  }
  if (!Number.isInteger(a.maxReplicas) || a.maxReplicas < a.minReplicas) {
    problems.push(`\`${field}.maxReplicas\` ${a.maxReplicas} is below \`${field}.minReplicas\` ${a.minReplicas}. Raise maxReplicas to at least ${a.minReplicas}.`);
  }
  const cpu = a.targetCpuUtilization;
  if (cpu !== undefined && (!Number.isInteger(cpu) || cpu < 1 || cpu > 100)) {
    problems.push(`\`${field}.targetCpuUtilization\` ${cpu} is not a percentage. Use a whole number from 1 to 100 (e.g. 70).`);
  }
  return problems;
}
