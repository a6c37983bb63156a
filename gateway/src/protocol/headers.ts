/**
 * The HTTP headers that 2026-07-28 mirrors from a request's body (streamable-http.mdx, "Request Metadata"), no I/O:
 * `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` (`params.name` or `params.uri`), and `Mcp-Param-{Name}` for tool
 * arguments whose schema property carries `x-mcp-header`; the Base64 sentinel form `=?base64?...?=` for values that
 * are not plain visible ASCII. A server MUST refuse a request whose headers are missing, malformed or disagree with
 * its body: `400` and `-32020` (HeaderMismatch).
 */
import { META, ModernErrorCode, type ModernEnvelope, type Refusal } from "./modern.js";

const SENTINEL = /^=\?base64\?([^?]*)\?=$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Visible ASCII, space and tab (RFC 9110 field values); no leading or trailing whitespace. */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The value a header carries: plain, or decoded from the Base64 sentinel; `undefined` when it is malformed. */
export function decodeHeaderValue(raw: string): string | undefined {
  const sentinel = SENTINEL.exec(raw);
  if (sentinel === null) return raw === "" || PLAIN.test(raw) ? raw : undefined;
  const encoded = sentinel[1]!;
  if (!BASE64.test(encoded)) return undefined;
  try {
    return UTF8.decode(Buffer.from(encoded, "base64"));
  } catch {
    return undefined;
  }
}

/** A value as a header: plain when it is visible ASCII and not sentinel-shaped, else the Base64 sentinel. */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value) && !(value.startsWith("=?base64?") && value.endsWith("?="))) return value;
  return `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

/** The body field that `Mcp-Name` mirrors for a method, if it has one. */
export function mcpNameOf(method: string, params: Record<string, unknown> | undefined): string | undefined {
  let value: unknown;
  if (method === "tools/call" || method === "prompts/get") value = params?.name;
  else if (method === "resources/read") value = params?.uri;
  else if (method === "tasks/get" || method === "tasks/update" || method === "tasks/cancel") value = params?.taskId;
  return typeof value === "string" ? value : undefined;
}

function mismatch(message: string): Refusal {
  return { status: 400, code: ModernErrorCode.HeaderMismatch, message: `Header mismatch: ${message}` };
}

const shown = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

/**
 * Why the standard headers of a modern request do not match its body, or `undefined`: `MCP-Protocol-Version` equals
 * `_meta`'s protocol version, `Mcp-Method` the method, `Mcp-Name` (decoded) the name or URI.
 */
export function standardHeadersProblem(
  headers: Readonly<Record<string, string | undefined>>,
  method: string,
  params: Record<string, unknown> | undefined,
  envelope: ModernEnvelope,
): Refusal | undefined {
  const version = headers["mcp-protocol-version"];
  if (version === undefined) return mismatch(`the MCP-Protocol-Version header is required (the body says ${shown(envelope.protocolVersion)})`);
  if (version !== envelope.protocolVersion) {
    return mismatch(`MCP-Protocol-Version header value ${shown(version)} does not match body value ${shown(envelope.protocolVersion)} (${META.protocolVersion})`);
  }
  const mcpMethod = headers["mcp-method"];
  if (mcpMethod === undefined) return mismatch(`the Mcp-Method header is required (the body's method is ${shown(method)})`);
  if (mcpMethod !== method) return mismatch(`Mcp-Method header value ${shown(mcpMethod)} does not match body value ${shown(method)}`);
  const name = mcpNameOf(method, params);
  const rawName = headers["mcp-name"];
  if (name === undefined) return undefined;
  if (rawName === undefined) return mismatch(`the Mcp-Name header is required for ${method} (the body names ${shown(name)})`);
  const decoded = decodeHeaderValue(rawName);
  if (decoded === undefined) return mismatch("the Mcp-Name header is malformed (not visible ASCII, nor valid =?base64?...?= UTF-8)");
  if (decoded !== name) return mismatch(`Mcp-Name header value ${shown(decoded)} does not match body value ${shown(name)}`);
  return undefined;
}

/** A tool argument mirrored into a header (`x-mcp-header` on a property of the tool's `inputSchema`). */
export interface ParamHeader {
  /** The header's name, lowercase: `mcp-param-region`. */
  readonly header: string;
  /** As the schema declares it: `Region`. */
  readonly name: string;
  /** The chain of `properties` keys from the schema's root to the property. */
  readonly path: readonly string[];
  readonly type: "string" | "integer" | "boolean";
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The mirrored arguments of a tool, from its `inputSchema`: `[]` when none, or the reason the annotations are invalid
 * (a tool with an invalid `x-mcp-header` MUST be excluded from `tools/list` by HTTP clients: streamable-http.mdx,
 * "Schema Extension").
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] | string {
  const found: ParamHeader[] = [];
  const seen = new Set<string>();
  const walk = (schema: unknown, path: string[] | undefined, depth: number): string | undefined => {
    if (typeof schema !== "object" || schema === null || depth > 32) return undefined;
    if (Array.isArray(schema)) {
      for (const item of schema) {
        const problem = walk(item, undefined, depth + 1);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const node = schema as Record<string, unknown>;
    const annotation = node["x-mcp-header"];
    if (annotation !== undefined) {
      if (path === undefined || path.length === 0) return "x-mcp-header is only allowed on a property reachable through \"properties\" from the schema's root";
      if (typeof annotation !== "string" || !TOKEN.test(annotation)) return `x-mcp-header ${JSON.stringify(annotation)} of "${path.join(".")}" is not an HTTP field-name token`;
      const key = annotation.toLowerCase();
      if (seen.has(key)) return `x-mcp-header "${annotation}" is used twice (names are case-insensitive)`;
      const type = node.type;
      if (type !== "string" && type !== "integer" && type !== "boolean") return `x-mcp-header "${annotation}" is on "${path.join(".")}" of type ${JSON.stringify(type)}; only string, integer and boolean can be mirrored`;
      seen.add(key);
      found.push({ header: `mcp-param-${key}`, name: annotation, path, type });
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "properties" && typeof child === "object" && child !== null && !Array.isArray(child) && path !== undefined) {
        for (const [name, property] of Object.entries(child as Record<string, unknown>)) {
          const problem = walk(property, [...path, name], depth + 1);
          if (problem !== undefined) return problem;
        }
      } else if (typeof child === "object" && child !== null) {
        // items, anyOf, $defs, if/then/else...: an annotation below them is not statically reachable.
        const problem = walk(child, undefined, depth + 1);
        if (problem !== undefined) return problem;
      }
    }
    return undefined;
  };
  const problem = walk(inputSchema, [], 0);
  return problem ?? found;
}

/** The argument at `path`, when present and not null. */
function argumentAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value === null ? undefined : value;
}

function asHeaderText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** The `Mcp-Param-*` headers a request with these arguments carries (for a backend), encoded. */
export function paramHeadersFor(params: readonly ParamHeader[], args: unknown): Record<string, string> | undefined {
  let headers: Record<string, string> | undefined;
  for (const param of params) {
    const text = asHeaderText(argumentAt(args, param.path));
    if (text === undefined) continue;
    (headers ??= {})[`Mcp-Param-${param.name}`] = encodeHeaderValue(text);
  }
  return headers;
}

/**
 * Why a call's `Mcp-Param-*` headers disagree with its arguments, or `undefined`. A set argument needs its header
 * (decoded value equal; integers compared as numbers); an absent or null one needs none.
 */
export function paramHeadersProblem(params: readonly ParamHeader[], headers: Readonly<Record<string, string | undefined>>, args: unknown): Refusal | undefined {
  for (const param of params) {
    const value = argumentAt(args, param.path);
    const raw = headers[param.header];
    if (value === undefined) continue;
    const where = `arguments.${param.path.join(".")}`;
    if (raw === undefined) return mismatch(`the Mcp-Param-${param.name} header is required: ${where} is set`);
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return mismatch(`the Mcp-Param-${param.name} header is malformed (not visible ASCII, nor valid =?base64?...?= UTF-8)`);
    const same = typeof value === "number" ? decoded.trim() !== "" && Number(decoded) === value : decoded === asHeaderText(value);
    if (!same) return mismatch(`Mcp-Param-${param.name} header value ${shown(decoded)} does not match body value ${shown(asHeaderText(value) ?? String(JSON.stringify(value)))} (${where})`);
  }
  return undefined;
}
