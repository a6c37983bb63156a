/**
 * Pack config (`--policy-pack-config FILE`): loading, checking and resolving it per policy the way the Pulumi CLI
 * does: a policy's own entry wins over `all`, which wins over the policy's default level; properties take the
 * defaults of the policy's `configSchema`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import type { PackConfig, ResolvedPolicyConfig } from "./types.js";

/** What config resolution needs of a policy (the pack's array, or the policies an analyzer reports). */
export type PolicyShape = Pick<Policy, "name" | "enforcementLevel" | "configSchema">;

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The directory of the policy pack (`policies/`). */
export const PACK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export class PackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PackConfigError";
  }
}

/** `policies/config/<stack>.json`: the pack config of a stack. */
export function packConfigFile(stack: string, packDir = PACK_DIR): string {
  return path.join(packDir, "config", `${stack}.json`);
}

/** Reads a pack config file. Errors name the file and the fix. */
export function loadPackConfig(file: string): PackConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new PackConfigError(`${file}: no such policy pack config. Create it (see policies/README.md) or pick a stack that has one.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PackConfigError(`${file}: not valid JSON (${(error as Error).message}). Fix the syntax.`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new PackConfigError(`${file}: must be a JSON object of policy names to levels or settings.`);
  }
  return raw as PackConfig;
}

/** Resolves the config of every policy. Throws {@link PackConfigError} naming the source, the key and the fix. */
export function resolvePackConfig(policies: readonly PolicyShape[], config: PackConfig, source = "policy pack config"): Map<string, ResolvedPolicyConfig> {
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [key, value] of Object.entries(config)) {
    if (key !== "all" && !byName.has(key)) {
      throw new PackConfigError(`${source}: \`${key}\` is not a policy of this pack. Use \`all\` or one of: ${[...byName.keys()].join(", ")}.`);
    }
    const level = typeof value === "string" ? value : value?.enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level)) {
      throw new PackConfigError(`${source}: \`${key}\` has enforcement level "${String(level)}". Use one of ${LEVELS.join(", ")}.`);
    }
    if (key === "all" && typeof value !== "string") {
      throw new PackConfigError(`${source}: \`all\` takes an enforcement level only. Set properties per policy.`);
    }
    if (typeof value === "object" && key !== "all") {
      const known = byName.get(key)?.configSchema?.properties ?? {};
      for (const property of Object.keys(value)) {
        if (property !== "enforcementLevel" && !(property in known)) {
          const choices = Object.keys(known);
          throw new PackConfigError(
            `${source}: \`${key}.${property}\` is not a setting of ${key}. ${choices.length > 0 ? `Use one of: ${choices.join(", ")}.` : "It takes an enforcement level only."}`,
          );
        }
      }
    }
  }
  const all = config.all as EnforcementLevel | undefined;
  const resolved = new Map<string, ResolvedPolicyConfig>();
  for (const policy of policies) {
    const entry = config[policy.name];
    const own = typeof entry === "string" ? entry : entry?.enforcementLevel;
    const properties: Record<string, unknown> = {};
    for (const [property, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      const fallback = (schema as { default?: unknown }).default;
      if (fallback !== undefined) properties[property] = fallback;
    }
    if (typeof entry === "object") {
      for (const [property, value] of Object.entries(entry)) if (property !== "enforcementLevel") properties[property] = value;
    }
    resolved.set(policy.name, { enforcementLevel: own ?? all ?? policy.enforcementLevel ?? "advisory", properties });
  }
  return resolved;
}
