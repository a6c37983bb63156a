/** One client session: small, and rebuildable from its sealed id (everything else is soft state). */
import type { JsonRpcMessage, JsonRpcId } from "../jsonrpc.js";
import type { SseWriter } from "../http/sse-writer.js";
import type { SessionSeed } from "./token.js";

/** Messages kept for a session whose standalone (GET) stream is not open. */
const QUEUE_LIMIT = 100;

/** A client request being served: the context the router attaches to backend calls. */
export interface ClientCall {
  session: Session;
  clientId: JsonRpcId;
  /** Sends a message on the stream of this call's POST. */
  forward(message: JsonRpcMessage): void;
  /** Cancels the call upstream. Set by the router once the call went out. */
  cancel?: (reason: string | undefined) => void;
  /** A `tasks/result` call: the task it waits for (requests the backend sends about that task go on this call's stream). */
  waitsForTask?: { server: string; upstreamId: string };
}

export class Session {
  lastSeen = Date.now();
  /** Most verbose logging level the client asked for; undefined: everything. */
  logLevel: string | undefined;
  /** The standalone SSE stream (GET). */
  stream: SseWriter | undefined;
  private queue: string[] = [];
  /** Client requests in flight, by the client's id. */
  readonly calls = new Map<JsonRpcId, ClientCall>();
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

  attachStream(stream: SseWriter): void {
    this.stream = stream;
    const queued = this.queue;
    this.queue = [];
    for (const data of queued) stream.write(data);
  }
}
