/** The per-server tool filter: allow/deny globs (`*` any run of characters, `?` one character). */
import type { ToolFilter } from "../config.js";

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Returns a predicate: is this tool (by the backend's own name) exposed? */
export function compileToolFilter(filter: ToolFilter): (name: string) => boolean {
  const allow = filter.allow.map(globToRegExp);
  const deny = filter.deny.map(globToRegExp);
  return (name) => (allow.length === 0 || allow.some((r) => r.test(name))) && !deny.some((r) => r.test(name));
}
