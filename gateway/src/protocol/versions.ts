/**
 * The MCP revisions the gateway speaks and what each allows: the one place that knows version strings.
 *
 * Clients: the 2025 revisions with sessions (`initialize`, `Mcp-Session-Id`). Backends: the gateway initializes
 * them at {@link BACKEND_PROTOCOL_VERSION} and speaks whatever they answer.
 */

/** Revisions served to clients, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0];

/** What the gateway asks backends for in its `initialize`. */
export const BACKEND_PROTOCOL_VERSION = "2025-11-25";

/** Revisions in which a POST body may be a JSON-RPC batch (removed in 2025-06-18). */
const BATCH_VERSIONS: ReadonlySet<string> = new Set(["2025-03-26"]);

export function isSupportedVersion(version: unknown): version is (typeof SUPPORTED_PROTOCOL_VERSIONS)[number] {
  return typeof version === "string" && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

/** The version to answer an `initialize` with: the client's when supported, else the latest (MCP version negotiation). */
export function negotiateVersion(requested: unknown): string {
  return isSupportedVersion(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

export function batchesAllowed(version: string): boolean {
  return BATCH_VERSIONS.has(version);
}

/** The `serverInfo` the gateway gives clients and the `clientInfo` it gives backends. */
export const GATEWAY_INFO = { name: "mcp-fleet-gateway", version: "0.1.0" } as const;

/** What the gateway declares toward backends: the client capabilities it can forward to its clients. */
export const FORWARDED_CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } as const;

/** MCP logging levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === "string" && (LOG_LEVELS as readonly string[]).includes(level);
}
