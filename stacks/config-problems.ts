/**
 * Turns zod issues on a stack's config into problems a user can act on, one shape:
 * ``\`mcp-fleet:<key>\` <what is wrong>. <fix>`` — the key (nested keys dotted: `tls.issuer`), what was expected
 * (a type, one of some values, the schema's own rule), what was given, and the command that fixes it.
 * An unknown key names where it is not a setting and the setting it most likely meant.
 */
import type { z } from "zod";
import { expectedName, formatPath, messageOf, show, typeName, valueAt } from "../servers/catalog/problems.js";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Settings that existed once: what replaced them. */
const REMOVED: Record<string, string> = {
  policyEnforcement:
    "policy levels live in policies/config/<stack>.json (`\"all\": \"advisory\"` or `\"mandatory\"`), which `pulumi preview --policy-pack-config` and `mcp-fleet check` read",
};

export interface ConfigProblemContext {
  /** The config key namespace (`mcp-fleet`). */
  namespace: string;
  /** The raw (decoded) config the issues are about. */
  raw: unknown;
  /** The schema, to list the settings an object accepts. */
  schema: z.ZodType;
}

/** One problem per issue, the issues of a union's matching branch included; a missing key an unknown key most likely meant is reported once, as the unknown key. */
export function configProblems(issues: readonly Issue[], ctx: ConfigProblemContext): string[] {
  const flat = flatten(issues, [], ctx.raw);
  const meant = new Set<string>();
  for (const { issue, path } of flat) {
    if (issue.code !== "unrecognized_keys") continue;
    const keys = settingsAt(ctx.schema, path);
    for (const key of issue.keys) {
      const guess = closest(key, keys);
      if (guess !== undefined) meant.add(formatPath([...path, guess]));
    }
  }
  return flat.flatMap(({ issue, path }) => {
    if (issue.code === "invalid_type" && valueAt(ctx.raw, path) === undefined && meant.has(formatPath(path))) return [];
    return problemsOf(issue, path, ctx);
  });
}

/** The issues with their full paths; a union's issues replaced by those of the branch the value was meant for. */
function flatten(issues: readonly Issue[], prefix: Path, raw: unknown): { issue: Issue; path: Path }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as PropertyKey[])];
    if (issue.code === "invalid_union") {
      const branch = meantBranch(issue.errors);
      if (branch !== undefined) return flatten(branch, path, raw);
    }
    return [{ issue, path }];
  });
}

/** The branch whose shape the value has: none of its issues rejects the value itself (only what is inside it). */
function meantBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  return branches.find((issues) => issues.length > 0 && issues.every((i) => i.path.length > 0 || i.code === "unrecognized_keys"));
}

function problemsOf(issue: Issue, path: Path, ctx: ConfigProblemContext): string[] {
  const key = (p: Path) => `\`${ctx.namespace}:${formatPath(p)}\``;
  const value = valueAt(ctx.raw, path);
  const given = `not ${typeName(value)} (${show(value)})`;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => {
        const full = [...path, k];
        const removed = path.length === 0 ? REMOVED[k] : undefined;
        if (removed !== undefined) return `${key(full)} is no longer a setting: ${removed}. Remove it with ${rmCommand(ctx.namespace, full)}.`;
        const keys = settingsAt(ctx.schema, path);
        const guess = closest(k, keys);
        const where = path.length === 0 ? "" : ` of ${key(path)}`;
        const fix = guess !== undefined ? `; did you mean \`${guess}\`? Rename it in stacks/Pulumi.<stack>.yaml` : `. Remove it with ${rmCommand(ctx.namespace, full)}`;
        return `${key(full)} is not a setting${where}${fix} (settings${where}: ${keys.join(", ")}).`;
      });
    case "invalid_type": {
      const rule = custom(issue) ?? `must be ${expectedName(issue.expected)}`;
      return [`${key(path)} ${value === undefined ? `is required; it ${rule}` : `${rule}, ${given}`}. ${fixFor(ctx.namespace, path)}`];
    }
    case "invalid_value": {
      const rule = custom(issue) ?? `must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
      return [`${key(path)} ${value === undefined ? `is required; it ${rule}` : `${rule}, ${given}`}. ${fixFor(ctx.namespace, path)}`];
    }
    case "invalid_union":
      return [`${key(path)} must be ${issue.errors.map((branch) => expectationOf(branch)).join(" or ")}, ${given}. ${fixFor(ctx.namespace, path)}`];
    default:
      return [`${key(path)} ${messageOf(issue)}. ${fixFor(ctx.namespace, path)}`];
  }
}

/** The schema's own message, unless it is zod's generic one. */
function custom(issue: Issue): string | undefined {
  return /^Invalid (input|option)/.test(issue.message) ? undefined : issue.message;
}

/** What a union branch that rejected the value itself expected, in words. */
function expectationOf(branch: readonly Issue[]): string {
  const root = branch.find((i) => i.path.length === 0);
  if (root?.code === "invalid_value") return root.values.map((v) => String(v)).join(" or ");
  if (root?.code === "invalid_type") return expectedName(root.expected);
  return "something else";
}

function fixFor(namespace: string, path: Path): string {
  const flag = path.length > 1 ? `--path '${namespace}:${formatPath(path)}'` : `${namespace}:${formatPath(path)}`;
  return `Fix it with \`pulumi config set ${flag} ...\` or in stacks/Pulumi.<stack>.yaml.`;
}

function rmCommand(namespace: string, path: Path): string {
  return path.length > 1 ? `\`pulumi config rm --path '${namespace}:${formatPath(path)}'\`` : `\`pulumi config rm ${namespace}:${formatPath(path)}\``;
}

interface SchemaNode {
  _zod: { def: { type: string; shape?: Record<string, SchemaNode>; innerType?: SchemaNode; options?: SchemaNode[]; valueType?: SchemaNode; in?: SchemaNode } };
}

/** The keys an object of the schema accepts at `path` (through defaults, optionals, unions and records). */
export function settingsAt(schema: z.ZodType, path: Path): string[] {
  let nodes: SchemaNode[] = [schema as unknown as SchemaNode];
  for (const step of path) {
    nodes = nodes.flatMap(objectsOf).flatMap((n) => {
      const child = n._zod.def.type === "object" ? n._zod.def.shape?.[String(step)] : n._zod.def.valueType;
      return child !== undefined ? [child] : [];
    });
  }
  return [...new Set(nodes.flatMap(objectsOf).flatMap((n) => (n._zod.def.type === "object" ? Object.keys(n._zod.def.shape ?? {}) : [])))];
}

/** The object or record schemas a schema stands for, wrappers removed. */
function objectsOf(node: SchemaNode): SchemaNode[] {
  const def = node._zod.def;
  if (def.type === "default" || def.type === "optional" || def.type === "nullable") return def.innerType !== undefined ? objectsOf(def.innerType) : [];
  if (def.type === "pipe") return def.in !== undefined ? objectsOf(def.in) : [];
  if (def.type === "union") return (def.options ?? []).flatMap(objectsOf);
  if (def.type === "object" || def.type === "record") return [node];
  return [];
}

/** The known key a misspelled one most likely meant: the one it begins, or the closest when at most a third of its letters differ. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const begun = candidates.filter((name) => name.toLowerCase().startsWith(word.toLowerCase()));
  if (begun.length === 1) return begun[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
