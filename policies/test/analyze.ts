/** The one test helper: evaluates policies through `@pulumi/policy`'s real analyzer dispatch, in this process. */
import type { Policy } from "@pulumi/policy";
import { createInProcessAnalyzer } from "../harness/in-process.js";
import type { PackConfig, ResourceRecord, Violation } from "../harness/types.js";

/** Violations of the given policies for one resource (resource policies) as `policy: detail` strings. */
export async function check(policies: Policy | readonly Policy[], resource: ResourceRecord, config: PackConfig = {}): Promise<string[]> {
  return (await analyzeOne(policies, resource, config)).map((v) => v.detail);
}

export async function analyzeOne(policies: Policy | readonly Policy[], resource: ResourceRecord, config: PackConfig = {}): Promise<Violation[]> {
  const analyzer = createInProcessAnalyzer(Array.isArray(policies) ? policies : [policies as Policy], { config });
  return analyzer.analyze(resource);
}

/** Violations of the given stack policies over a set of resources, as detail strings. */
export async function checkStack(policies: Policy | readonly Policy[], resources: readonly ResourceRecord[], config: PackConfig = {}): Promise<string[]> {
  const analyzer = createInProcessAnalyzer(Array.isArray(policies) ? policies : [policies as Policy], { config });
  return (await analyzer.analyzeStack(resources)).map((v) => v.detail);
}

/** Every violation (resource and stack policies) of a set of resources. */
export async function checkAll(policies: readonly Policy[], resources: readonly ResourceRecord[], config: PackConfig = {}): Promise<Violation[]> {
  const analyzer = createInProcessAnalyzer(policies, { config });
  const out: Violation[] = [];
  for (const r of resources) out.push(...(await analyzer.analyze(r)));
  out.push(...(await analyzer.analyzeStack(resources)));
  return out;
}
