/**
 * `subscriptions/listen` of 2026-07-28 callers (basic/patterns/subscriptions.mdx): a POST whose SSE answer stays
 * open and carries the change notifications the caller opted in to, each tagged with
 * `io.modelcontextprotocol/subscriptionId` (the listen request's id), after
 * `notifications/subscriptions/acknowledged` (first, with the subset of the filter the gateway honors).
 *
 * A listen stream is a subscriber like a 2025 session: it hears the registry's list changes and, for the URIs of
 * its `resourceSubscriptions`, the backends' resource updates (the backend subscribed once per URI, by the first
 * watcher). Its state is the open stream's, on this replica; nothing is kept when it closes. On shutdown each gets
 * its graceful end (the listen's result), then the stream closes.
 */
import type { RequestContext } from "../context.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import { MAX_STREAM_BACKLOG_BYTES, SseWriter } from "../http/sse-writer.js";
import { ErrorCode, type JsonRpcMessage, type JsonRpcRequest } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { META } from "../protocol/modern.js";
import { GATEWAY_INFO } from "../protocol/versions.js";
import { watchResource, type WatchDeps } from "../routes/subscriptions.js";
import { Session } from "../session/session.js";
import type { BackendPool } from "../upstream/pool.js";
import { sendJson } from "./answers.js";

/** The filter of one listen: what the caller asked for and the gateway honors. */
interface Filter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** At most this many URIs per listen, each at most this long. */
const MAX_URIS = 1000;
const MAX_URI_LENGTH = 4096;
const KEEP_ALIVE_MS = 15_000;

const LIST_CHANGED: Readonly<Record<string, keyof Filter>> = {
  "notifications/tools/list_changed": "toolsListChanged",
  "notifications/prompts/list_changed": "promptsListChanged",
  "notifications/resources/list_changed": "resourcesListChanged",
};

/** Why a filter is malformed, or the filter (unknown fields are ignored: they are not honored, so not acknowledged). */
function filterOf(value: unknown): Filter | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return '"params.notifications" must be an object (the notification filter)';
  const raw = value as Record<string, unknown>;
  const filter: Filter = {};
  for (const key of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
    const flag = raw[key];
    if (flag === undefined) continue;
    if (typeof flag !== "boolean") return `"params.notifications.${key}" must be a boolean`;
    if (flag) filter[key] = true;
  }
  const uris = raw.resourceSubscriptions;
  if (uris !== undefined) {
    if (!Array.isArray(uris) || uris.some((u) => typeof u !== "string" || u === "" || u.length > MAX_URI_LENGTH)) {
      return `"params.notifications.resourceSubscriptions" must be an array of resource URIs (non-empty strings of at most ${MAX_URI_LENGTH} characters)`;
    }
    if (uris.length > MAX_URIS) return `"params.notifications.resourceSubscriptions" lists ${uris.length} URIs, over the limit of ${MAX_URIS}`;
    filter.resourceSubscriptions = [...new Set(uris as string[])];
  }
  return filter;
}

/** One open listen, as a subscriber: what it hears, tagged with its subscription id. */
class ListenSession extends Session {
  /** The watched URIs, and the server of each. */
  readonly watched = new Map<string, string>();
  /** Nothing goes out before the acknowledgement (updates of URIs already watched are held until then). */
  acknowledged = false;
  private held: { method: string; params: Record<string, unknown> | undefined }[] = [];

  constructor(
    readonly subscriptionId: string | number,
    readonly filter: Filter,
    private readonly writer: SseWriter,
  ) {
    super(undefined, { protocolVersion: "2026-07-28", capabilities: { sampling: false, elicitation: false, roots: false }, createdAt: Date.now() });
    this.stream = writer;
  }

  /** Only what the filter asked for; logs, task status and requests never go on a listen stream. */
  override sendStandalone(message: JsonRpcMessage): void {
    if (this.closed || !("method" in message) || "id" in message) return;
    const flag = LIST_CHANGED[message.method];
    if (flag !== undefined) {
      if (this.filter[flag] !== true) return;
    } else if (message.method !== "notifications/resources/updated" || !this.subscriptions.has(String(message.params?.uri))) {
      return;
    }
    if (!this.acknowledged) {
      if (this.held.length < 100) this.held.push({ method: message.method, params: message.params });
      return;
    }
    this.write(message.method, message.params);
  }

  /** Sends the acknowledgement, then what arrived before it. */
  acknowledge(honored: Filter): void {
    this.write("notifications/subscriptions/acknowledged", { notifications: honored });
    this.acknowledged = true;
    const held = this.held;
    this.held = [];
    for (const { method, params } of held) this.write(method, params);
  }

  write(method: string, params: Record<string, unknown> | undefined): boolean {
    const meta = params?._meta as Record<string, unknown> | undefined;
    return this.writer.write(JSON.stringify({ jsonrpc: "2.0", method, params: { ...params, _meta: { ...meta, [META.subscriptionId]: this.subscriptionId } } }));
  }
}

export interface ListenStreamsDeps extends WatchDeps {
  pool: BackendPool;
  logger: Logger;
  /** Listens open at once on this replica; beyond it a listen is refused (`-32603`, before the acknowledgement). */
  maxListens: number;
}

export class ListenStreams {
  private readonly open_ = new Set<ListenSession>();

  constructor(private readonly deps: ListenStreamsDeps) {}

  /** The open listens (subscribers of list changes). */
  all(): Iterable<Session> {
    return this.open_;
  }

  get size(): number {
    return this.open_.size;
  }

  open(ctx: RequestContext, req: H1Request, res: H1Response, request: JsonRpcRequest): void {
    const filter = filterOf(request.params?.notifications);
    if (typeof filter === "string") {
      sendJson(res, 400, { jsonrpc: "2.0", id: request.id, error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${filter}` } });
      return;
    }
    if (this.open_.size >= this.deps.maxListens) {
      sendJson(res, 200, { jsonrpc: "2.0", id: request.id, error: { code: ErrorCode.InternalError, message: `Subscription limit reached: this replica holds ${this.deps.maxListens} listen streams (sessions.maxSessions); retry later` } });
      return;
    }
    const honored = this.honored(ctx, filter);
    const writer = new SseWriter(res, { "x-accel-buffering": "no" });
    const listen = new ListenSession(request.id, honored, writer);
    this.open_.add(listen);
    const keepAlive = setInterval(() => writer.keepAlive(), KEEP_ALIVE_MS);
    keepAlive.unref();
    writer.onclose = () => {
      clearInterval(keepAlive);
      if (writer.overflowed) this.deps.logger.warn({ reqId: req.reqId }, `listen stream dropped: the client left over ${MAX_STREAM_BACKLOG_BYTES} bytes unread`);
      this.close(listen);
    };
    // The backends watch its resources first (so that what follows the acknowledgement is delivered); a URI its
    // backend refuses is not acknowledged.
    const uris = honored.resourceSubscriptions ?? [];
    const watching = uris.map((uri) => {
      const server = ctx.view.resourceServer(uri)!;
      listen.watched.set(uri, server);
      return watchResource(this.deps, listen, server, uri, true).then(
        () => true,
        (error: unknown) => {
          listen.watched.delete(uri);
          this.deps.logger.warn({ reqId: req.reqId, uri, err: (error as Error).message }, "subscribing a listen stream's resource failed");
          return false;
        },
      );
    });
    void Promise.all(watching).then((ok) => {
      if (listen.closed) return;
      if (honored.resourceSubscriptions !== undefined) honored.resourceSubscriptions = uris.filter((_uri, i) => ok[i]);
      listen.acknowledge(honored);
    });
  }

  /** What of a filter the gateway honors: list changes it announces, URIs the caller's view serves and can watch. */
  private honored(ctx: RequestContext, filter: Filter): Filter {
    const caps = this.deps.pool.primaries().map((b) => b.capabilities);
    const out: Filter = {};
    if (filter.toolsListChanged === true) out.toolsListChanged = true;
    if (filter.promptsListChanged === true && caps.some((c) => c.prompts !== undefined)) out.promptsListChanged = true;
    if (filter.resourcesListChanged === true && caps.some((c) => c.resources !== undefined)) out.resourcesListChanged = true;
    if (filter.resourceSubscriptions !== undefined) {
      out.resourceSubscriptions = filter.resourceSubscriptions.filter((uri) => {
        const server = ctx.view.resourceServer(uri);
        return server !== undefined && this.deps.pool.primary(server)?.capabilities.resources?.subscribe === true;
      });
    }
    return out;
  }

  private close(listen: ListenSession): void {
    if (!this.open_.delete(listen)) return;
    listen.closed = true;
    for (const [uri, server] of listen.watched) void watchResource(this.deps, listen, server, uri, false).catch(() => undefined);
  }

  /** Shutdown: each listen ends gracefully (its result, with the subscription id), then its stream closes. */
  endAll(): void {
    for (const listen of [...this.open_]) {
      const end = JSON.stringify({ jsonrpc: "2.0", id: listen.subscriptionId, result: { resultType: "complete", _meta: { [META.subscriptionId]: listen.subscriptionId, [META.serverInfo]: GATEWAY_INFO } } });
      (listen.stream as SseWriter).end(end);
    }
  }
}
