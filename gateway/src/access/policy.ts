/**
 * THE access decision: may a caller with these roles see, and so call, an item of a server? Every list, lookup and
 * call goes through {@link AccessPolicy.allows} (via the caller's view, access/views.ts): what a caller may see and
 * what it may call are the same answer. Rules are per server (`servers[].access`); a server without a rule grants
 * nothing (deny by default). Globs: `*` any run of characters, `?` one character; resources match by URI.
 */
import type { AccessRule } from "../config/access.js";

export type ItemKind = "tools" | "resources" | "prompts";

/** Any authenticated caller. */
export const ANY_ROLE = "*";

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

interface CompiledRule {
  roles: ReadonlySet<string>;
  items: Record<ItemKind, RegExp[]>;
}

export class AccessPolicy {
  private readonly rules = new Map<string, CompiledRule[]>();

  constructor(servers: readonly { name: string; access: readonly AccessRule[] }[]) {
    for (const server of servers) {
      this.rules.set(
        server.name,
        server.access.map((rule) => ({
          roles: new Set(rule.roles),
          items: { tools: rule.tools.map(globToRegExp), resources: rule.resources.map(globToRegExp), prompts: rule.prompts.map(globToRegExp) },
        })),
      );
    }
  }

  /** May a caller with `roles` see and use `name` (the server's own name; a URI for resources) of `server`? */
  allows(roles: readonly string[], server: string, kind: ItemKind, name: string): boolean {
    for (const rule of this.rules.get(server) ?? []) {
      if (!rule.roles.has(ANY_ROLE) && !roles.some((r) => rule.roles.has(r))) continue;
      if (rule.items[kind].some((glob) => glob.test(name))) return true;
    }
    return false;
  }
}
