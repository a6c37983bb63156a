/** One client session: small, and rebuildable from its sealed id (everything else is soft state). */
import type { JsonRpcMessage, JsonRpcId } from "../jsonrpc.js";
import type { SessionSeed } from "./token.js";

/** Messages kept for a session whose standalone (GET) stream is not open. */
const QUEUE_LIMIT = 100;

/** The session's standalone stream (GET), as the session writes to it. */
export interface StandaloneStream {
  readonly open: boolean;
  /** Writes one serialized message; false when the stream is gone. */
  write(json: string): boolean;
  end(): void;
}

/** What the session knows of a request of its in flight (the full call: context.ts `ClientCall`). */
export interface InFlight {
  /** Cancels the call upstream (set once the call went out). */
  cancel?: (reason: string | undefined) => void;
}

export class Session {
  lastSeen = Date.now();
  /** Most verbose logging level the client asked for; undefined: everything. */
  logLevel: string | undefined;
  /** The standalone SSE stream (GET). */
  stream: StandaloneStream | undefined;
  private queue: string[] = [];
  /** Client requests in flight, by the client's id. */
  readonly calls = new Map<JsonRpcId, InFlight>();
  /** Resource URIs this session subscribed to. */
  readonly subscriptions = new Set<string>();
  /** Per-session backend connections (servers with `isolation: session`), by server name. */
  readonly isolated = new Map<string, unknown>();
  closed = false;

  /** The newest sealed id issued for this session (what the client sends as `Mcp-Session-Id`). */
  token: string | undefined;
  /** When {@link token} expires (ms since the epoch). */
  tokenExpiresAt = 0;
  /** Tokens of this session the store accepts without a MAC check (a few: the ones clients use and the newest). */
  readonly tokens = new Set<string>();

  constructor(
    /** The session's stable id (`sid` of its sealed tokens; safe to log, useless without a token). `undefined` in stateless mode. */
    readonly id: string | undefined,
    readonly seed: SessionSeed,
  ) {}

  get protocolVersion(): string {
    return this.seed.protocolVersion;
  }

  touch(): void {
    this.lastSeen = Date.now();
  }

  /** Sends on the standalone stream, or keeps it (bounded) until the client opens one. */
  sendStandalone(message: JsonRpcMessage): void {
    if (this.closed) return;
    const data = JSON.stringify(message);
    if (this.stream !== undefined && this.stream.write(data)) return;
    if (this.queue.length >= QUEUE_LIMIT) this.queue.shift();
    this.queue.push(data);
  }

  attachStream(stream: StandaloneStream): void {
    this.stream = stream;
    const queued = this.queue;
    this.queue = [];
    for (const data of queued) stream.write(data);
  }
}
