/**
 * Which era of MCP a request to the endpoint belongs to, decided from what it carries, before anything else reads
 * it: `legacy` (the 2025 revisions: `initialize`, then `Mcp-Session-Id` sessions; GET and DELETE) or `stateless`
 * (revision 2026-07-28: no session, every request carries its version and capabilities in `_meta`, and the
 * `Mcp-Method` header). The gateway's fronts are chosen by era (see front/).
 */
import type { H1Request } from "../http/h1/server.js";

export type Era = "legacy" | "stateless";

/** The revision that made MCP stateless. */
export const STATELESS_VERSION = "2026-07-28";
const META_VERSION = "io.modelcontextprotocol/protocolVersion";

/**
 * The era of a request: `stateless` when it says 2026-07-28 (the `MCP-Protocol-Version` header, an `Mcp-Method`
 * header, or a protocol version claimed in `_meta`); otherwise `legacy`. `body` is the parsed JSON, if any.
 */
export function eraOf(req: Pick<H1Request, "method" | "headers">, body: unknown): Era {
  if (req.method === "GET" || req.method === "DELETE" || req.headers["mcp-session-id"] !== undefined) return "legacy";
  if (req.headers["mcp-protocol-version"] === STATELESS_VERSION || req.headers["mcp-method"] !== undefined) return "stateless";
  const first = Array.isArray(body) ? body[0] : body;
  const meta = (first as { params?: { _meta?: Record<string, unknown> } } | undefined)?.params?._meta;
  return typeof meta === "object" && meta !== null && meta[META_VERSION] === STATELESS_VERSION ? "stateless" : "legacy";
}
