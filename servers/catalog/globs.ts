/**
 * Tool-name globs of a spec's `tools.allow` / `tools.deny`: `*` matches any run of characters, `?` one character,
 * everything else itself. The gateway applies the same rule (see `ToolFilterSchema` in gateway/src/config.ts).
 */
import { MAX_EXPOSED_NAME_LENGTH } from "@mcp-fleet/gateway/config";

/** Characters a tool-name glob may contain: those of a tool name plus `*` and `?`, at most as many as a tool name. */
export const TOOL_GLOB_PATTERN = new RegExp(`^[a-zA-Z0-9_*?-]{1,${MAX_EXPOSED_NAME_LENGTH}}$`);

/** Turns a tool-name glob into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** Whether a filter exposes a tool: it matches `allow` (or `allow` is empty) and no `deny` glob. */
export function toolAllowed(filter: { allow: readonly string[]; deny: readonly string[] }, tool: string): boolean {
  const allowed = filter.allow.length === 0 || filter.allow.some((g) => globToRegExp(g).test(tool));
  return allowed && !filter.deny.some((g) => globToRegExp(g).test(tool));
}
