/**
 * The role × tool matrix of a stack: which exposed tools each role sees (and so may call), decided by the gateway's
 * own access function (`@mcp-fleet/gateway/access`) on the servers' `access` rules, and the changes between two
 * matrices ("role support gains billing__refund"). Pure: the tool lists come from the caller.
 */
import { AccessPolicy } from "@mcp-fleet/gateway/access";
import { exposedName } from "@mcp-fleet/gateway/naming";
import { DEFAULT_SEPARATOR } from "@mcp-fleet/gateway/config";
import type { Catalog } from "../../servers/catalog/catalog.js";
import { toolAllowed } from "../../servers/catalog/globs.js";

/** Any authenticated caller: what a rule with role `*` grants. */
export const ANY_ROLE = "*";

export interface AccessMatrix {
  stack: string;
  /** How the stack's gateway authenticates; with `none` every caller sees every tool. */
  auth: "none" | "apiKey" | "oauth";
  /** Roles named by the servers' rules and the stack's API keys, sorted; `*` (any authenticated caller) first. */
  roles: string[];
  /** Exposed tool names, sorted. */
  tools: string[];
  /** By role: the exposed tools it sees. */
  grants: Record<string, string[]>;
  /** Servers whose tools could not be listed, and why. */
  unavailable: { server: string; reason: string }[];
}

export interface MatrixInput {
  stack: string;
  auth: AccessMatrix["auth"];
  /** Roles of the stack's API keys. */
  keyRoles: readonly string[];
  catalog: Pick<Catalog, "servers">;
  /** Each server's own tool names. */
  tools: ReadonlyMap<string, readonly string[]>;
  unavailable: AccessMatrix["unavailable"];
}

export function accessMatrix(input: MatrixInput): AccessMatrix {
  const specs = input.catalog.servers.map((e) => e.spec);
  const policy = new AccessPolicy(specs.map((s) => ({ name: s.name, access: s.access })));
  const named = new Set<string>([ANY_ROLE, ...input.keyRoles]);
  for (const s of specs) for (const rule of s.access) for (const role of rule.roles) named.add(role);
  const roles = [...named].sort((a, b) => (a === ANY_ROLE ? -1 : b === ANY_ROLE ? 1 : a.localeCompare(b)));
  const exposed: { name: string; server: string; tool: string }[] = [];
  for (const spec of specs) {
    for (const tool of input.tools.get(spec.name) ?? []) {
      if (!toolAllowed(spec.tools, tool)) continue;
      exposed.push({ name: exposedName(spec.name, tool, { separator: DEFAULT_SEPARATOR, passthrough: false }), server: spec.name, tool });
    }
  }
  exposed.sort((a, b) => a.name.localeCompare(b.name));
  const grants: Record<string, string[]> = {};
  for (const role of roles) {
    // The `*` row is what any authenticated caller sees: a caller with no role at all.
    const held = role === ANY_ROLE ? [] : [role];
    grants[role] = exposed.filter((t) => input.auth === "none" || policy.allows(held, t.server, "tools", t.tool)).map((t) => t.name);
  }
  return { stack: input.stack, auth: input.auth, roles, tools: exposed.map((t) => t.name), grants, unavailable: [...input.unavailable] };
}

/** What changed from `before` to `after`, one line each: roles gaining and losing tools, roles appearing and going. */
export function matrixChanges(before: Pick<AccessMatrix, "grants">, after: Pick<AccessMatrix, "grants">): string[] {
  const lines: string[] = [];
  const roles = [...new Set([...Object.keys(before.grants), ...Object.keys(after.grants)])].sort();
  const label = (role: string) => (role === ANY_ROLE ? "any signed-in caller" : `role ${role}`);
  for (const role of roles) {
    const was = new Set(before.grants[role] ?? []);
    const is = new Set(after.grants[role] ?? []);
    for (const tool of [...is].filter((t) => !was.has(t)).sort()) lines.push(`${label(role)} gains ${tool}`);
    for (const tool of [...was].filter((t) => !is.has(t)).sort()) lines.push(`${label(role)} loses ${tool}`);
  }
  return lines;
}
