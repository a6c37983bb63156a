/** Test helpers: 2026-07-28 requests on the wire (raw fetch), with their headers and `_meta` built as the spec says. */
import { encodeHeaderValue, mcpNameOf } from "../src/protocol/headers.js";

export const MODERN = "2026-07-28";

export const META_KEYS = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** The `_meta` of a well-formed 2026-07-28 request. */
export function envelope(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { [META_KEYS.protocolVersion]: MODERN, [META_KEYS.clientCapabilities]: capabilities, [META_KEYS.clientInfo]: { name: "wire-test", version: "1.0.0" }, ...extra };
}

/** The standard headers of a 2026-07-28 POST for this method and params. */
export function modernHeaders(method: string, params?: Record<string, unknown>, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
  };
  const name = mcpNameOf(method, params);
  if (name !== undefined) headers["mcp-name"] = encodeHeaderValue(name);
  for (const [key, value] of Object.entries(overrides)) headers[key.toLowerCase()] = value;
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface WireAnswer {
  status: number;
  headers: Headers;
  /** The JSON-RPC message answering the request (the last one, for a stream). */
  body: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } } | undefined;
  /** Every message of an SSE answer. */
  events: Record<string, unknown>[];
}

/** POSTs one request (by default with a valid envelope and headers) and reads the whole answer. */
export async function modernPost(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  options: { id?: unknown; headers?: Record<string, string | undefined>; meta?: Record<string, unknown> | null; body?: string } = {},
): Promise<WireAnswer> {
  const withMeta = options.meta === null ? params : { ...params, _meta: options.meta ?? envelope() };
  const body = options.body ?? JSON.stringify({ jsonrpc: "2.0", id: options.id ?? 1, method, params: withMeta });
  const res = await fetch(url, { method: "POST", headers: modernHeaders(method, params, options.headers), body, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  const events: Record<string, unknown>[] = [];
  let answer: WireAnswer["body"];
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    for (const line of text.split("\n")) if (line.startsWith("data: ")) events.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
    answer = events.filter((e) => "result" in e || "error" in e).at(-1) as WireAnswer["body"];
  } else if (text !== "") {
    answer = JSON.parse(text) as WireAnswer["body"];
  }
  return { status: res.status, headers: res.headers, body: answer, events };
}
