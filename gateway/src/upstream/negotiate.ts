/**
 * The opening of a backend connection in either era (versioning.mdx, "Backward Compatibility"). Per server
 * `protocol`:
 * - `2025-11-25`: the `initialize` handshake (and `notifications/initialized`), as before;
 * - `2026-07-28`: `server/discover` only; a server that does not answer it with 2026-07-28 is not up;
 * - `auto` (the default): probe with `server/discover`; a 2026-07-28 answer makes the backend modern, a recognized
 *   modern error that rules 2026-07-28 out fails the attempt, anything else (another error, a timeout, the process
 *   exiting) falls back to `initialize`. The verdict is kept per server for the gateway process (so a stdio server
 *   that exits on the probe is not probed again, and an HTTP origin is probed once); a handshake that fails under a
 *   kept verdict drops it, and the next attempt probes again.
 */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { hintOf, type CacheHint } from "../protocol/cache-hints.js";
import { STATELESS_VERSION } from "../protocol/era.js";
import { META, ModernErrorCode } from "../protocol/modern.js";
import { BACKEND_PROTOCOL_VERSION, FORWARDED_CLIENT_CAPABILITIES, GATEWAY_INFO } from "../protocol/versions.js";

export type BackendProtocol = "auto" | "2025-11-25" | "2026-07-28";
export type BackendEra = "legacy" | "modern";

/** What the opening told about the server. */
export interface Hello {
  era: BackendEra;
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: { name?: string; version?: string };
  instructions: string | undefined;
  /** The cache hint of its `server/discover` (modern servers). */
  discoverHint?: CacheHint;
}

/** A probe waits at most this long (bounded by the server's `startTimeoutMs`); silence means a legacy server. */
export const PROBE_TIMEOUT_MS = 5000;

/** Era verdicts, per server (its config object: the primary and every per-session connection share it). */
export class Verdicts {
  private readonly byServer = new WeakMap<object, BackendEra>();
  get(server: object): BackendEra | undefined {
    return this.byServer.get(server);
  }
  set(server: object, era: BackendEra): void {
    this.byServer.set(server, era);
  }
  forget(server: object): void {
    this.byServer.delete(server);
  }
}

/** The `_meta` of a request the gateway itself sends to a modern backend (lists, listen, the probe). */
export function gatewayEnvelope(capabilities: Record<string, unknown> = {}): Record<string, unknown> {
  return { [META.protocolVersion]: STATELESS_VERSION, [META.clientCapabilities]: capabilities, [META.clientInfo]: GATEWAY_INFO };
}

export interface HandshakeIo {
  /** Sends a request during the opening (before the backend is up). */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  /** Sends `notifications/initialized`. */
  initialized(): Promise<void>;
}

export interface HandshakeOptions {
  server: string;
  protocol: BackendProtocol;
  startTimeoutMs: number;
  verdicts: Verdicts;
  /** The key of this server's verdict. */
  key: object;
}

type Probe = { kind: "modern"; hello: Hello } | { kind: "legacy"; why: string } | { kind: "refused"; error: Error };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** What a `server/discover` answer says about the server's era. */
function classify(server: string, outcome: { result: unknown } | { error: unknown }): Probe {
  if ("result" in outcome) {
    const result = outcome.result;
    const versions = isObject(result) && Array.isArray(result.supportedVersions) ? (result.supportedVersions as unknown[]) : undefined;
    if (versions === undefined) return { kind: "legacy", why: "server/discover answered without supportedVersions" };
    if (!versions.includes(STATELESS_VERSION)) {
      return { kind: "refused", error: new Error(`Server "${server}" answers server/discover but supports ${JSON.stringify(versions)}, not ${STATELESS_VERSION} nor initialize; set its protocol to 2025-11-25 if it also speaks that`) };
    }
    const discover = result as Record<string, unknown>;
    const meta = isObject(discover._meta) ? discover._meta : {};
    const hello: Hello = {
      era: "modern",
      protocolVersion: STATELESS_VERSION,
      capabilities: isObject(discover.capabilities) ? discover.capabilities : {},
      serverInfo: isObject(meta[META.serverInfo]) ? (meta[META.serverInfo] as Hello["serverInfo"]) : {},
      instructions: typeof discover.instructions === "string" ? discover.instructions : undefined,
    };
    const hint = hintOf(discover);
    if (hint !== undefined) hello.discoverHint = hint;
    return { kind: "modern", hello };
  }
  const error = outcome.error;
  if (error instanceof RpcError && error.code === ModernErrorCode.UnsupportedProtocolVersion) {
    const supported = isObject(error.data) && Array.isArray(error.data.supported) ? JSON.stringify(error.data.supported) : "other revisions";
    return { kind: "refused", error: new Error(`Server "${server}" does not support ${STATELESS_VERSION} (it supports ${supported}): ${error.message}`) };
  }
  if (error instanceof RpcError && (error.code === ModernErrorCode.HeaderMismatch || error.code === ModernErrorCode.MissingRequiredClientCapability)) {
    return { kind: "refused", error: new Error(`Server "${server}" refused the gateway's server/discover: ${error.message} (${error.code})`) };
  }
  return { kind: "legacy", why: error instanceof Error ? error.message : String(error) };
}

async function probe(io: HandshakeIo, options: HandshakeOptions): Promise<Probe> {
  const timeoutMs = Math.min(PROBE_TIMEOUT_MS, options.startTimeoutMs);
  try {
    const result = await io.request("server/discover", { _meta: gatewayEnvelope(FORWARDED_CLIENT_CAPABILITIES) }, timeoutMs);
    return classify(options.server, { result });
  } catch (error) {
    return classify(options.server, { error });
  }
}

async function initialize(io: HandshakeIo, server: string, startTimeoutMs: number): Promise<Hello> {
  let result: { protocolVersion?: string; capabilities?: Record<string, unknown>; serverInfo?: Hello["serverInfo"]; instructions?: string };
  try {
    result = (await io.request(
      "initialize",
      { protocolVersion: BACKEND_PROTOCOL_VERSION, capabilities: FORWARDED_CLIENT_CAPABILITIES, clientInfo: GATEWAY_INFO },
      startTimeoutMs,
    )) as typeof result;
  } catch (error) {
    // A 2026-only server refuses initialize naming what it speaks: say so, with the fix.
    if (error instanceof RpcError && error.code === ModernErrorCode.UnsupportedProtocolVersion) {
      const supported = isObject(error.data) && Array.isArray(error.data.supported) ? (error.data.supported as unknown[]).join(", ") : "other revisions";
      throw new RpcError(error.code, `Server "${server}" does not speak ${BACKEND_PROTOCOL_VERSION} (it supports ${supported}): ${error.message}. Set its protocol to auto or 2026-07-28.`, error.data);
    }
    throw error;
  }
  await io.initialized();
  return {
    era: "legacy",
    protocolVersion: result.protocolVersion ?? BACKEND_PROTOCOL_VERSION,
    capabilities: result.capabilities ?? {},
    serverInfo: result.serverInfo ?? {},
    instructions: result.instructions,
  };
}

/**
 * Opens a connection in the era its `protocol` setting (and, for `auto`, the kept verdict or a probe) says. `alive`
 * tells whether the channel of this attempt is still the backend's (a probe may have ended a stdio process).
 */
export async function handshake(io: HandshakeIo, options: HandshakeOptions, alive: () => boolean): Promise<Hello> {
  const { protocol, verdicts, key } = options;
  try {
    if (protocol === "2025-11-25") return await initialize(io, options.server, options.startTimeoutMs);
    const known = protocol === "auto" ? verdicts.get(key) : "modern";
    if (known === "legacy") return await initialize(io, options.server, options.startTimeoutMs);
    const answer = await probe(io, options);
    if (answer.kind === "modern") {
      verdicts.set(key, "modern");
      return answer.hello;
    }
    if (answer.kind === "refused") throw answer.error;
    if (protocol === "2026-07-28") {
      throw new RpcError(ErrorCode.InternalError, `Server "${options.server}" did not answer server/discover with ${STATELESS_VERSION} (protocol: 2026-07-28): ${answer.why}`);
    }
    // A legacy server (or one that ended the connection on the probe: the next attempt goes straight to initialize).
    verdicts.set(key, "legacy");
    if (!alive()) throw new Error(`the connection ended on the server/discover probe (${answer.why}); the next attempt uses initialize`);
    return await initialize(io, options.server, options.startTimeoutMs);
  } catch (error) {
    // Keep a legacy verdict the probe just made (the process may have exited on it); otherwise re-probe next time.
    if (verdicts.get(key) === "modern" || alive()) verdicts.forget(key);
    throw error;
  }
}
