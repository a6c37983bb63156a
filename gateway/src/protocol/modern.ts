/**
 * The rules of revision 2026-07-28 ("modern": stateless, no `initialize`), no I/O: the `_meta` keys every request
 * carries, how a request's envelope is checked (the spec's codes and HTTP statuses), which methods the revision
 * removed, and the shapes of its errors. The HTTP header rules (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`) are in
 * `headers.ts`, cache hints in `cache-hints.ts`.
 */
import { ErrorCode } from "../jsonrpc.js";
import { STATELESS_VERSION } from "./era.js";
import { LOG_LEVELS, SUPPORTED_PROTOCOL_VERSIONS, isLogLevel, type LogLevel } from "./versions.js";

/** Reserved `_meta` keys of 2026-07-28 (basic/index.mdx, "_meta"). */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  logLevel: "io.modelcontextprotocol/logLevel",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;

/** The extension that carries tasks in 2026-07-28 (SEP-2663). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** Error codes the 2026-07-28 revision defines (basic/index.mdx, "Error Codes"). */
export const ModernErrorCode = {
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
} as const;

/** Modern revisions the gateway serves. */
export const MODERN_VERSIONS: readonly string[] = [STATELESS_VERSION];

/** Every revision the gateway serves, newest first (`server/discover`, `UnsupportedProtocolVersionError.data.supported`). */
export const SERVED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];

export function isModernVersion(version: unknown): boolean {
  return typeof version === "string" && MODERN_VERSIONS.includes(version);
}

/**
 * Methods of the 2025 revisions that 2026-07-28 removed: a modern caller gets `404` and `-32601` for them, like for
 * an unknown method (streamable-http.mdx, "Protocol Version Header").
 */
export const REMOVED_METHODS: ReadonlySet<string> = new Set([
  "initialize",
  "ping",
  "logging/setLevel",
  "resources/subscribe",
  "resources/unsubscribe",
  "tasks/result",
  "tasks/list",
]);

/** Requests that may answer `input_required` (mrtr.mdx, "Supported Requests"). */
export const INPUT_REQUIRED_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

/** What a modern request says about its caller, from its `_meta`. */
export interface ModernEnvelope {
  readonly protocolVersion: string;
  /** The client capabilities declared for this request, as sent (an object). */
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly clientInfo?: Readonly<Record<string, unknown>>;
  /** Logs for this request at or above this level; none when absent. */
  readonly logLevel?: LogLevel;
}

/** A request refused before it is served: the HTTP status, and the JSON-RPC error of the answer. */
export interface Refusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The envelope of a modern request, or why it is malformed (`400`, `-32602`, per basic/index.mdx: a request missing
 * a required field is malformed). The protocol version is checked for presence here, for support in
 * {@link unsupportedVersion} (after the header check: a mismatch is `-32020`, not `-32022`).
 */
export function envelopeOf(params: Record<string, unknown> | undefined): ModernEnvelope | Refusal {
  const meta = params?._meta;
  if (meta === undefined) return invalidParams('a 2026-07-28 request needs "params._meta" with its protocol version and client capabilities');
  if (!isObject(meta)) return invalidParams('"params._meta" must be an object');
  const version = meta[META.protocolVersion];
  if (typeof version !== "string" || version === "") return invalidParams(`"params._meta" needs "${META.protocolVersion}" (a string, e.g. "${STATELESS_VERSION}")`);
  const capabilities = meta[META.clientCapabilities];
  if (!isObject(capabilities)) return invalidParams(`"params._meta" needs "${META.clientCapabilities}" (an object; {} when the client supports no optional capability)`);
  const clientInfo = meta[META.clientInfo];
  if (clientInfo !== undefined && !isObject(clientInfo)) return invalidParams(`"params._meta.${META.clientInfo}" must be an object with name and version`);
  const logLevel = meta[META.logLevel];
  if (logLevel !== undefined && !isLogLevel(logLevel)) return invalidParams(`"params._meta.${META.logLevel}" must be one of ${LOG_LEVELS.join(", ")}`);
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== "string" && !(typeof token === "number" && Number.isFinite(token))) {
    return invalidParams('"params._meta.progressToken" must be a string or a number');
  }
  const envelope: { -readonly [K in keyof ModernEnvelope]: ModernEnvelope[K] } = { protocolVersion: version, capabilities };
  if (clientInfo !== undefined) envelope.clientInfo = clientInfo;
  if (logLevel !== undefined) envelope.logLevel = logLevel;
  return envelope;
}

export function isRefusal(value: ModernEnvelope | Refusal | undefined): value is Refusal {
  return value !== undefined && "status" in value;
}

function invalidParams(why: string): Refusal {
  return { status: 400, code: ErrorCode.InvalidParams, message: `Invalid params: ${why}` };
}

/** `UnsupportedProtocolVersionError` when the gateway does not serve `version` as a modern revision. */
export function unsupportedVersion(version: string): Refusal | undefined {
  if (isModernVersion(version)) return undefined;
  return {
    status: 400,
    code: ModernErrorCode.UnsupportedProtocolVersion,
    message: `Unsupported protocol version: ${JSON.stringify(version.slice(0, 64))}; this gateway serves ${SERVED_VERSIONS.join(", ")} (2025 revisions through initialize)`,
    data: { supported: SERVED_VERSIONS, requested: version },
  };
}

/** The HTTP status of an answer that is one JSON-RPC error (streamable-http.mdx; everything else is 200). */
export function statusOfError(code: number): number {
  switch (code) {
    case ErrorCode.MethodNotFound:
      return 404;
    case ErrorCode.InvalidRequest:
    case ModernErrorCode.HeaderMismatch:
    case ModernErrorCode.MissingRequiredClientCapability:
    case ModernErrorCode.UnsupportedProtocolVersion:
      return 400;
    default:
      return 200;
  }
}

/** Which client capability a server-to-client request needs (mrtr.mdx: only declared ones may be asked). */
export const CAPABILITY_OF_REQUEST: Readonly<Record<string, "sampling" | "elicitation" | "roots">> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

/** Is `capability` declared in a modern envelope's client capabilities? */
export function declares(envelope: ModernEnvelope, capability: string): boolean {
  return isObject(envelope.capabilities[capability]);
}

/** `MissingRequiredClientCapabilityError` for the named capabilities. */
export function missingCapabilities(names: readonly string[], why: string): Refusal {
  const requiredCapabilities: Record<string, object> = {};
  for (const name of names) requiredCapabilities[name] = {};
  return {
    status: 400,
    code: ModernErrorCode.MissingRequiredClientCapability,
    message: `Missing required client capability: ${names.join(", ")} (${why}); declare ${names.map((n) => `"${n}"`).join(" and ")} in ${META.clientCapabilities}`,
    data: { requiredCapabilities },
  };
}
