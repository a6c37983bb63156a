/**
 * One MCP connection to one backend, spoken as raw JSON-RPC: the initialize handshake, gateway-unique request ids,
 * per-call timeouts, progress-token remapping, and reconnection with exponential backoff.
 *
 * The backend does not know about client sessions. What a pending call belongs to is an opaque `context` that the
 * router attaches and gets back with progress notifications and (for attribution) backend->client requests.
 */
import type { Logger } from "../observability/logger.js";
import { ErrorCode, RpcError, isNotification, isRequest, isResponse, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcRequest } from "../jsonrpc.js";
import type { CacheHint } from "../protocol/cache-hints.js";
import { META } from "../protocol/modern.js";
import { BACKEND_PROTOCOL_VERSION } from "../protocol/versions.js";
import type { Channel } from "./channel.js";
import { SharedListen } from "./listen.js";
import { Verdicts, gatewayEnvelope, handshake, type BackendProtocol } from "./negotiate.js";

/** A call that provably never reached the backend (not connected, refused, not written): safe to send elsewhere. */
export class NotSentError extends RpcError {}

/** Did the channel say the message never reached the server (connection refused, or refused before it was read)? */
function neverDelivered(error: Error): boolean {
  return (error as { notDelivered?: boolean }).notDelivered === true || (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
}

export type BackendState = "connecting" | "up" | "down";

/** Verdicts of backends built without a shared cache (each its own key). */
const LOCAL_VERDICTS = new Verdicts();

export interface ServerCapabilities {
  tools?: { listChanged?: boolean };
  resources?: { subscribe?: boolean; listChanged?: boolean };
  prompts?: { listChanged?: boolean };
  logging?: object;
  completions?: object;
  [key: string]: unknown;
}

export interface CallOptions<C> {
  /** For errors: what was called, e.g. `tools/call "echo"`. */
  label: string;
  /** @default the server's timeoutMs */
  timeoutMs?: number;
  /** Opaque owner of the call (the router's client request). */
  context?: C;
  /** Receives this call's progress notifications in arrival order, with the caller's own progress token restored. */
  onProgress?: (notification: JsonRpcNotification) => void;
  /** HTTP headers of this request (2026-07-28 backends: mirrored `Mcp-Param-*`). */
  headers?: Record<string, string>;
  /** Learns the request's id as it is sent. */
  onId?: (id: number) => void;
}

interface Pending<C> {
  id: number;
  method: string;
  label: string;
  resolve: (result: unknown) => void;
  reject: (error: RpcError) => void;
  timer: NodeJS.Timeout | undefined;
  context: C | undefined;
  progressToken: unknown;
  onProgress: ((notification: JsonRpcNotification) => void) | undefined;
}

/**
 * What a call carries for its caller toward this backend (the identity room decides: a signed identity token as a
 * header of an HTTP request, or in a stdio request's `_meta`). A `_meta` value `undefined` removes the key.
 */
export interface CallPresentation {
  readonly headers?: Readonly<Record<string, string>>;
  readonly meta?: Readonly<Record<string, string | undefined>>;
}

export interface BackendOptions<C> {
  name: string;
  transport: "stdio" | "http" | "sse";
  timeoutMs: number;
  /** A connection attempt (process start, handshake) gets this long; a backend not up this long after it went down (or started) counts as down. */
  startTimeoutMs: number;
  /** Makes a fresh channel for each (re)connection. */
  createChannel: () => Channel;
  logger: Logger;
  restart: { initialDelayMs: number; maxDelayMs: number };
  /** Stop reconnecting after a failure (per-session connections). @default false */
  noRestart?: boolean;
  /** `origin`: the call whose answer stream carried the notification, when the transport knows it. */
  onNotification?: (backend: Backend<C>, message: JsonRpcNotification, origin: C | undefined) => void;
  /** `origin`: the call whose answer stream carried the request, when the transport knows it (exact attribution). */
  onRequest?: (backend: Backend<C>, message: JsonRpcRequest, origin: C | undefined) => void;
  onStateChange?: (backend: Backend<C>, previous: BackendState) => void;
  /** Which era to speak (see negotiate.ts). @default "2025-11-25" */
  protocol?: BackendProtocol;
  /** Where era verdicts are kept, and this server's key there (shared by its connections). */
  verdicts?: { cache: Verdicts; key: object };
  /** Each client call's fate, for outlier detection: `failed` for a timeout or a lost connection (once per loss), not for the backend's own errors. */
  onCallOutcome?: (failed: boolean, cause: string) => void;
  /** What each call made for a client carries toward this backend (`credentials.identity`); a promise delays the send (or fails the call). @default nothing */
  present?: (context: C) => CallPresentation | Promise<CallPresentation> | undefined;
}

export class Backend<C = unknown> {
  readonly name: string;
  readonly transport: "stdio" | "http" | "sse";
  state: BackendState = "connecting";
  lastError: string | undefined;
  capabilities: ServerCapabilities = {};
  serverInfo: { name?: string; version?: string } = {};
  instructions: string | undefined;
  protocolVersion = BACKEND_PROTOCOL_VERSION;
  /** Speaks 2026-07-28 (no session; `_meta` on every request; MRTR; `subscriptions/listen`). */
  modern = false;
  /** The cache hint of a modern backend's `server/discover`. */
  discoverHint: CacheHint | undefined;
  /** A modern backend's shared `subscriptions/listen` (list changes, watched resources). */
  listen: SharedListen | undefined;
  /** Connections established so far (the first one included). */
  connections = 0;

  private channel: Channel | undefined;
  private readonly pending = new Map<number, Pending<C>>();
  private nextId = 1;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  /** When the backend last stopped being up (or was created). */
  private notUpSince = Date.now();
  private firstAttempt: Promise<void> | undefined;

  private readonly verdicts: { cache: Verdicts; key: object };

  constructor(private readonly options: BackendOptions<C>) {
    this.name = options.name;
    this.transport = options.transport;
    this.delayMs = options.restart.initialDelayMs;
    this.verdicts = options.verdicts ?? { cache: LOCAL_VERDICTS, key: this };
  }

  /** Starts connecting; resolves after the first attempt settled (up or failed), never rejects. */
  start(): Promise<void> {
    this.firstAttempt ??= this.connect();
    return this.firstAttempt;
  }

  /** Requests in flight on this connection (what least-outstanding balancing compares). */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Calls in flight on this connection, oldest first. */
  inFlight(): C[] {
    const contexts: C[] = [];
    for (const p of this.pending.values()) if (p.context !== undefined) contexts.push(p.context);
    return contexts;
  }

  /**
   * The state to report (status, health): `connecting` only within `startTimeoutMs` of the backend going down (or
   * starting); a backend that keeps trying and failing, or is stuck in its handshake, is down.
   */
  get reportedState(): BackendState {
    return this.state === "connecting" && Date.now() - this.notUpSince > this.options.startTimeoutMs ? "down" : this.state;
  }

  private setState(state: BackendState, error?: string): void {
    const previous = this.state;
    this.state = state;
    if (previous === "up" && state !== "up") this.notUpSince = Date.now();
    if (error !== undefined) this.lastError = error;
    if (previous !== state) this.options.onStateChange?.(this, previous);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState("connecting");
    this.modern = false;
    const channel = this.options.createChannel();
    this.channel = channel;
    channel.onmessage = (message, origin) => {
      try {
        this.onMessage(message, origin?.requestId);
      } catch (error) {
        // A message that cannot be handled (or forwarded) is dropped; the channel's data handler keeps running.
        this.options.logger.error({ server: this.name, err: (error as Error).stack }, "handling a message from the backend failed; dropped");
      }
    };
    channel.onclose = (info) => this.onChannelClose(channel, info.reason);
    channel.onsenderror = (message, error) => {
      const id = (message as { id?: unknown }).id;
      const pending = typeof id === "number" && "method" in message ? this.pending.get(id) : undefined;
      if (pending === undefined) return;
      this.pending.delete(id as number);
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      if (neverDelivered(error)) {
        pending.reject(new NotSentError(ErrorCode.BackendUnavailable, `Server "${this.name}" failed during ${pending.label}: ${error.message}`));
        return;
      }
      if (pending.context !== undefined) this.options.onCallOutcome?.(true, error.message);
      pending.reject(new RpcError(ErrorCode.BackendUnavailable, `Server "${this.name}" failed during ${pending.label}: ${error.message}`));
    };
    try {
      await channel.start();
      const hello = await handshake(
        {
          request: (method, params, timeoutMs) => this.request(method, params, { label: method, timeoutMs }, true),
          initialized: async () => {
            await channel.send({ jsonrpc: "2.0", method: "notifications/initialized" });
          },
        },
        { server: this.name, protocol: this.options.protocol ?? "2025-11-25", startTimeoutMs: this.options.startTimeoutMs, verdicts: this.verdicts.cache, key: this.verdicts.key },
        () => this.channel === channel,
      );
      if (this.channel !== channel) return;
      this.modern = hello.era === "modern";
      this.protocolVersion = hello.protocolVersion;
      channel.setProtocolVersion?.(this.protocolVersion);
      this.capabilities = hello.capabilities as ServerCapabilities;
      this.serverInfo = hello.serverInfo;
      this.instructions = hello.instructions;
      this.discoverHint = hello.discoverHint;
      if (this.modern) this.listen ??= new SharedListen({ open: (params) => this.openStream("subscriptions/listen", params), close: (id) => this.abandon(id) }, this.options.logger);
      else this.listen = undefined;
      this.connections += 1;
      this.lastError = undefined;
      this.setState("up");
      this.listen?.connected(hello.capabilities);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ server: this.name, err: message }, "backend connection failed");
      this.lastError = message;
      if (this.channel === channel) {
        this.channel = undefined;
        await channel.close().catch(() => undefined);
        this.failAll(`could not connect: ${message}`);
        this.setState("down", message);
        this.scheduleRestart();
      }
    }
  }

  private onChannelClose(channel: Channel, reason: string): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    this.listen?.disconnected();
    this.failAll(reason);
    this.setState("down", reason);
    this.options.logger.warn({ server: this.name, reason }, "backend connection closed");
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopped || this.options.noRestart || this.restartTimer !== undefined) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.restart.maxDelayMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.connect();
    }, delay);
    this.restartTimer.unref();
  }

  /** Fails every pending call at once with an error naming the server and the cause. */
  private failAll(cause: string): void {
    if (this.pending.size === 0) return;
    const calls = [...this.pending.values()];
    this.pending.clear();
    if (calls.some((p) => p.context !== undefined)) this.options.onCallOutcome?.(true, cause);
    for (const p of calls) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.reject(new RpcError(ErrorCode.BackendUnavailable, `Server "${this.name}" failed during ${p.label}: ${cause}`));
    }
  }

  /**
   * Sends a request; resolves with its result, rejects with an {@link RpcError} (the backend's own error, a
   * timeout, or a dead connection), always naming the server.
   */
  request(method: string, params: Record<string, unknown> | undefined, options: CallOptions<C>, duringHandshake = false): Promise<unknown> {
    const present = this.options.present;
    if (present === undefined || options.context === undefined) return this.send(method, params, options, duringHandshake, undefined);
    const presented = present(options.context);
    // A presentation still to be made (a token exchange): the request goes once it is, or fails with its error; a
    // call cancelled meanwhile is not sent.
    if (presented instanceof Promise) {
      const context = options.context;
      this.presenting.set(context, false);
      return presented.then(
        (p) => {
          const cancelled = this.presenting.get(context) === true;
          this.presenting.delete(context);
          if (cancelled) throw new RpcError(ErrorCode.InternalError, `${options.label} on server "${this.name}" was cancelled by the client.`);
          return this.send(method, params, options, duringHandshake, p);
        },
        (error: unknown) => {
          this.presenting.delete(context);
          throw error;
        },
      );
    }
    return this.send(method, params, options, duringHandshake, presented);
  }

  /** Calls waiting for their presentation (a token exchange), and whether their client cancelled them meanwhile. */
  private readonly presenting = new Map<C, boolean>();

  private send(method: string, params: Record<string, unknown> | undefined, options: CallOptions<C>, duringHandshake: boolean, presented: CallPresentation | undefined): Promise<unknown> {
    const channel = this.channel;
    if (channel === undefined || (this.state !== "up" && !duringHandshake)) {
      return Promise.reject(
        new NotSentError(ErrorCode.BackendUnavailable, `Server "${this.name}" is unavailable (${this.state}${this.lastError === undefined ? "" : `: ${this.lastError}`}); ${options.label} was not sent.`),
      );
    }
    const id = this.nextId++;
    options.onId?.(id);
    let progressToken: unknown;
    let outParams = params;
    const meta = params?._meta as Record<string, unknown> | undefined;
    if (meta !== undefined && meta.progressToken !== undefined) {
      progressToken = meta.progressToken;
      outParams = { ...params, _meta: { ...meta, progressToken: id } };
    }
    if (this.modern && (meta === undefined || meta[META.protocolVersion] === undefined)) {
      // The gateway's own requests (lists, listen) carry the gateway's envelope.
      const own = outParams?._meta as Record<string, unknown> | undefined;
      outParams = { ...outParams, _meta: { ...gatewayEnvelope(), ...own } };
    }
    let headers = options.headers;
    if (presented !== undefined) {
      if (presented.meta !== undefined) outParams = { ...outParams, _meta: { ...(outParams?._meta as Record<string, unknown> | undefined), ...presented.meta } };
      if (presented.headers !== undefined) headers = headers === undefined ? presented.headers : { ...headers, ...presented.headers };
    }
    return new Promise((resolve, reject) => {
      const pending: Pending<C> = {
        id, method, label: options.label, resolve, reject, timer: undefined,
        context: options.context, progressToken, onProgress: options.onProgress,
      };
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
      if (timeoutMs > 0) pending.timer = setTimeout(() => this.timeout(pending, timeoutMs), timeoutMs);
      this.pending.set(id, pending);
      try {
        const message: JsonRpcRequest = outParams === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params: outParams };
        if (headers === undefined) channel.send(message);
        else channel.send(message, headers);
      } catch (error) {
        this.pending.delete(id);
        if (pending.timer !== undefined) clearTimeout(pending.timer);
        reject(new NotSentError(ErrorCode.BackendUnavailable, `Server "${this.name}" could not be sent ${options.label}: ${(error as Error).message}`));
      }
    });
  }

  private timeout(pending: Pending<C>, timeoutMs: number): void {
    if (this.pending.get(pending.id) !== pending) return;
    this.pending.delete(pending.id);
    this.cancelUpstream(pending.id, `timed out after ${timeoutMs} ms`);
    if (pending.context !== undefined) this.options.onCallOutcome?.(true, `no answer within ${timeoutMs} ms`);
    pending.reject(new RpcError(ErrorCode.RequestTimeout, `Server "${this.name}" did not answer ${pending.label} within ${timeoutMs} ms (timeoutMs); the call was cancelled.`));
  }

  /** Cancels a pending call on behalf of its caller: tells the backend, and settles the call with an error. */
  cancel(context: C, reason: string | undefined): boolean {
    if (this.presenting.has(context)) {
      this.presenting.set(context, true);
      return true;
    }
    for (const p of this.pending.values()) {
      if (p.context !== context) continue;
      this.pending.delete(p.id);
      if (p.timer !== undefined) clearTimeout(p.timer);
      this.cancelUpstream(p.id, reason);
      p.reject(new RpcError(ErrorCode.InternalError, `${p.label} on server "${this.name}" was cancelled by the client.`));
      return true;
    }
    return false;
  }

  /**
   * Tells the backend a request is cancelled: a 2026-07-28 backend over HTTP by closing that request's stream,
   * anything else by `notifications/cancelled`.
   */
  private cancelUpstream(id: number, reason: string | undefined): void {
    if (this.modern && this.channel?.abort?.(id) === true) return;
    const params: Record<string, unknown> = { requestId: id };
    if (reason !== undefined) params.reason = reason;
    this.sendQuietly({ jsonrpc: "2.0", method: "notifications/cancelled", params });
  }

  /** Sends a long-lived request (no timeout, no caller context, e.g. `subscriptions/listen`): its id and answer. */
  openStream(method: string, params: Record<string, unknown>): { id: number; answer: Promise<unknown> } {
    let id = -1;
    const answer = this.request(method, params, { label: method, timeoutMs: 0, onId: (sent) => (id = sent) });
    return { id, answer };
  }

  /** Gives up a request of the gateway's own (settles it, and tells the backend). */
  abandon(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.cancelUpstream(id, undefined);
    pending.resolve(undefined);
  }

  /** Sends a notification (e.g. roots list_changed). */
  notify(method: string, params?: Record<string, unknown>): void {
    this.sendQuietly(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  /** Answers a backend->client request. */
  respond(id: string | number, outcome: { result: unknown } | { error: { code: number; message: string; data?: unknown } }): void {
    this.sendQuietly({ jsonrpc: "2.0", id, ...outcome });
  }

  private sendQuietly(message: JsonRpcMessage): void {
    try {
      this.channel?.send(message);
    } catch {
      // connection gone; its pending calls were failed already
    }
  }

  /** `originId`: the request whose answer stream carried the message (HTTP), when known. */
  private onMessage(message: JsonRpcMessage, originId?: number): void {
    if (isResponse(message)) {
      const pending = this.pending.get(message.id as number);
      if (pending === undefined) return; // late answer of a cancelled or timed-out call
      this.pending.delete(pending.id);
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      // It served a client's call: the next restart starts from the shortest delay again. (The gateway's own list
      // requests do not count: a backend that lists and then crashes on every call must not restart in a hot loop.)
      if (pending.context !== undefined) {
        if (message.error === undefined) this.delayMs = this.options.restart.initialDelayMs;
        this.options.onCallOutcome?.(false, "");
      }
      if (message.error !== undefined) {
        pending.reject(new RpcError(message.error.code, message.error.message, message.error.data));
      } else {
        pending.resolve(message.result);
      }
      return;
    }
    if (isRequest(message)) {
      if (message.method === "ping") {
        this.respond(message.id, { result: {} });
        return;
      }
      if (this.options.onRequest === undefined) {
        this.respond(message.id, { error: { code: ErrorCode.MethodNotFound, message: `The gateway does not handle ${message.method}` } });
        return;
      }
      const origin = originId === undefined ? undefined : this.pending.get(originId)?.context;
      this.options.onRequest(this, message, origin);
      return;
    }
    if (isNotification(message)) {
      if (message.method === "notifications/progress") {
        const token = message.params?.progressToken;
        const pending = typeof token === "number" ? this.pending.get(token) : undefined;
        if (pending?.onProgress !== undefined) {
          pending.onProgress({ jsonrpc: "2.0", method: message.method, params: { ...message.params, progressToken: pending.progressToken } });
        }
        return;
      }
      const notification = this.listen === undefined ? message : this.listen.takes(message);
      if (notification === undefined) return;
      this.options.onNotification?.(this, notification, originId === undefined ? undefined : this.pending.get(originId)?.context);
    }
  }

  /** Milliseconds the next reconnect waits (grows while connections keep failing, reset once the backend serves). */
  get restartDelayMs(): number {
    return this.delayMs;
  }

  /** Stops for good: no more reconnects, pending calls fail, the connection (and its process group) closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    const channel = this.channel;
    this.channel = undefined;
    this.listen?.disconnected();
    this.failAll("the gateway is shutting down");
    this.setState("down", "stopped");
    await channel?.close();
  }
}
