/**
 * Which era of MCP a request to the endpoint belongs to, decided from what it carries, before anything else reads
 * it: `legacy` (the 2025 revisions: `initialize`, then `Mcp-Session-Id` sessions) or `stateless` (revision
 * 2026-07-28: no session, every request carries its version and capabilities in `_meta`, and the `Mcp-Method`
 * header). The gateway's fronts are chosen by era (see front/).
 */

export type Era = "legacy" | "stateless";

/** The revision that made MCP stateless. */
export const STATELESS_VERSION = "2026-07-28";
const META_VERSION = "io.modelcontextprotocol/protocolVersion";

/**
 * The era of a request, first rule that applies:
 * 1. an `Mcp-Session-Id` header: `legacy` (a 2025 session);
 * 2. `MCP-Protocol-Version: 2026-07-28`, or a protocol version claimed in the first message's `_meta` (any claim:
 *    2025 clients put none there, so an unknown version is a modern caller to answer with `-32022`): `stateless`;
 * 3. GET or DELETE, `initialize`, or a 2025 `MCP-Protocol-Version`: `legacy`;
 * 4. an `Mcp-Method` header: `stateless`;
 * 5. anything else: `legacy`.
 * (2026-07-28 clients send `Mcp-Method` with every request, and some 2025 clients send it too, before their
 * session exists: rule 3 keeps their `initialize` theirs.) `body` is the parsed JSON, if any.
 */
export function eraOf(req: { readonly method: string; readonly headers: Readonly<Record<string, string | undefined>> }, body: unknown): Era {
  const headers = req.headers;
  if (headers["mcp-session-id"] !== undefined) return "legacy";
  const version = headers["mcp-protocol-version"];
  if (version === STATELESS_VERSION) return "stateless";
  const first = Array.isArray(body) ? body[0] : body;
  const message = first as { method?: unknown; params?: { _meta?: Record<string, unknown> } } | undefined;
  const meta = message?.params?._meta;
  if (typeof meta === "object" && meta !== null && typeof meta[META_VERSION] === "string") return "stateless";
  if (req.method === "GET" || req.method === "DELETE" || message?.method === "initialize" || version !== undefined) return "legacy";
  return headers["mcp-method"] !== undefined ? "stateless" : "legacy";
}
