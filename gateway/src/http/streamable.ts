/**
 * The Streamable HTTP front on the MCP path: POST (client messages), GET (the session's standalone stream),
 * DELETE (end the session). Status codes follow the MCP transport spec.
 */
import type { GatewayConfig } from "../config.js";
import { ErrorCode, envelopeProblem, errorResponse, isNotification, isRequest, isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import { methodLabel } from "../observability/metrics.js";
import { nestingExceeds } from "../protocol/json.js";
import { paramsProblem } from "../protocol/meta.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { Forwarder } from "../router/forwarder.js";
import { SUPPORTED_PROTOCOL_VERSIONS, negotiateVersion, type Router } from "../router/router.js";
import { Session, type ClientCall } from "../session/session.js";
import { MAX_ENDED, type Found, type Lookup, type SessionStore } from "../session/store.js";
import { TokenBuckets } from "../limits/token-buckets.js";
import { ClientAddresses } from "./client-address.js";
import { PostExchange } from "./exchange.js";
import { accepts, isJsonContentType } from "./guards.js";
import type { H1Request as HttpRequest, H1Response as HttpResponse } from "./h1/server.js";
import { MAX_STREAM_BACKLOG_BYTES, SseWriter } from "./sse-writer.js";

const SESSION_HEADER = "mcp-session-id";

/** The id of a message to echo in an error about it: only a valid JSON-RPC id, else null. */
function validId(message: unknown): JsonRpcId | null {
  const id = typeof message === "object" && message !== null ? (message as { id?: unknown }).id : undefined;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

/** Why a well-formed request is refused before routing (answered as its JSON-RPC error), or undefined. */
function requestProblem(session: Session, request: JsonRpcRequest): { code: number; message: string } | undefined {
  if (session.calls.has(request.id)) {
    return { code: ErrorCode.InvalidRequest, message: `Invalid Request: id ${JSON.stringify(request.id)} is already used by a request in flight in this session; use a new id for each request` };
  }
  const problem = paramsProblem(request.params);
  return problem === undefined ? undefined : { code: ErrorCode.InvalidParams, message: `Invalid params: ${problem}` };
}
const VERSION_HEADER = "mcp-protocol-version";
/** Versions in which a POST body may be a JSON-RPC batch (removed in 2025-06-18). */
const BATCH_VERSIONS = new Set(["2025-03-26"]);

export interface StreamableDeps {
  config: GatewayConfig;
  router: Router;
  forwarder: Forwarder;
  sessions: SessionStore;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Counts POSTs being answered (for draining on shutdown). */
  inflight: { count: number };
  /** True once shutdown started: new sessions are refused. */
  draining: () => boolean;
  closeSession: (session: Session) => void;
}

function sendJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function rpcFailure(res: HttpResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, errorResponse(null, code, message), headers);
}

export class StreamableHttpHandler {
  private readonly stateless: boolean;

  private readonly addresses: ClientAddresses;
  /** Session creation per client address (`sessions.perClient`). */
  private readonly sessionCreation: TokenBuckets;

  constructor(private readonly deps: StreamableDeps) {
    this.stateless = deps.config.sessions.mode === "stateless";
    this.addresses = new ClientAddresses(deps.config.http.trustedProxies);
    const { createPerMinute, burst } = deps.config.sessions.perClient;
    this.sessionCreation = new TokenBuckets({ perSecond: createPerMinute / 60, burst });
  }

  handle(req: HttpRequest, res: HttpResponse): void {
    switch (req.method) {
      case "POST":
        try {
          this.post(req, res);
        } catch (error) {
          this.deps.logger.error({ reqId: req.reqId, sessionId: req.headers[SESSION_HEADER], err: (error as Error).message }, "POST failed");
          if (!res.headersSent) rpcFailure(res, 500, ErrorCode.InternalError, "Internal error");
          else res.end();
        }
        return;
      case "GET":
        this.get(req, res);
        return;
      case "DELETE":
        this.delete(req, res);
        return;
      default:
        rpcFailure(res, 405, ErrorCode.InvalidRequest, `Method ${req.method ?? "?"} not allowed on the MCP endpoint; use POST, GET or DELETE.`, { allow: "GET, POST, DELETE" });
    }
  }

  /**
   * The session a request names (and a renewed id to send back, if due), or `undefined` after an error was sent.
   * Asynchronous only when a shared store must be asked whether the session ended (a session not live here).
   */
  private session(req: HttpRequest, res: HttpResponse): Found | undefined | Promise<Found | undefined> {
    const id = req.headers[SESSION_HEADER];
    if (typeof id !== "string" || id === "") {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
      return undefined;
    }
    const lookup = this.deps.sessions.lookup(id);
    return lookup instanceof Promise ? lookup.then((l) => this.found(req, res, l)) : this.found(req, res, lookup);
  }

  private found(req: HttpRequest, res: HttpResponse, lookup: Lookup): Found | undefined {
    if (lookup === "full") {
      rpcFailure(res, 503, ErrorCode.InternalError, `Service Unavailable: every one of this replica's ${this.deps.config.sessions.maxSessions} session slots is busy (sessions.maxSessions); retry shortly`, { "retry-after": "1" });
      return undefined;
    }
    if (lookup === "unavailable") {
      rpcFailure(res, 503, ErrorCode.InternalError, "Service Unavailable: the shared session store (rateLimits.store) cannot be reached to check this session; retry shortly", { "retry-after": "1" });
      return undefined;
    }
    if (lookup === undefined) {
      rpcFailure(res, 404, -32001, "Session not found: it expired, was closed, or was not issued by this gateway. Initialize a new session.");
      return undefined;
    }
    req.sessionId = lookup.session.id;
    return lookup;
  }

  /** Runs `then` with the session a request names, once known (now, or after the shared store answered). */
  private withSession(req: HttpRequest, res: HttpResponse, then: (found: Found) => void): void {
    const found = this.session(req, res);
    if (found instanceof Promise) {
      found.then((f) => f !== undefined && then(f)).catch((error: unknown) => {
        this.deps.logger.error({ reqId: req.reqId, err: (error as Error).stack }, "request failed");
        if (!res.headersSent) rpcFailure(res, 500, ErrorCode.InternalError, "Internal error");
      });
    } else if (found !== undefined) then(found);
  }

  private versionProblem(req: HttpRequest): string | undefined {
    const version = req.headers[VERSION_HEADER];
    if (version === undefined || (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version as string)) return undefined;
    return `Bad Request: unsupported MCP-Protocol-Version "${String(version)}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`;
  }

  private post(req: HttpRequest, res: HttpResponse): void {
    if (!accepts(req, "application/json") || !accepts(req, "text/event-stream")) {
      rpcFailure(res, 406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list both application/json and text/event-stream");
      return;
    }
    if (!isJsonContentType(req)) {
      rpcFailure(res, 415, ErrorCode.InvalidRequest, "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    if (req.bodyTooLarge) {
      rpcFailure(res, 413, ErrorCode.InvalidRequest, `Payload Too Large: the body exceeds ${this.deps.config.http.maxBodyBytes} bytes (http.maxBodyBytes)`, { connection: "close" });
      return;
    }
    const limits = this.deps.config.http;
    if (nestingExceeds(req.body, limits.maxJsonDepth)) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, `Invalid Request: the body nests objects and arrays deeper than ${limits.maxJsonDepth} levels (http.maxJsonDepth)`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8"));
    } catch (error) {
      rpcFailure(res, 400, ErrorCode.ParseError, `Parse error: the body is not valid JSON (${(error as Error).message})`);
      return;
    }
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as JsonRpcMessage[];
    if (batch && messages.length === 0) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, "Invalid Request: empty batch");
      return;
    }
    if (messages.length > limits.maxBatchSize) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, `Invalid Request: a batch of ${messages.length} messages is over the limit of ${limits.maxBatchSize} (http.maxBatchSize)`);
      return;
    }
    for (const message of messages) {
      const problem = envelopeProblem(message);
      if (problem !== undefined) {
        sendJson(res, 400, errorResponse(validId(message), ErrorCode.InvalidRequest, `Invalid Request: ${problem}`));
        return;
      }
    }
    const versionProblem = this.versionProblem(req);
    if (versionProblem !== undefined) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, versionProblem);
      return;
    }

    const initialize = messages.find((m) => isRequest(m) && m.method === "initialize") as JsonRpcRequest | undefined;
    const headers: Record<string, string> = {};
    if (initialize !== undefined) {
      if (batch) {
        rpcFailure(res, 400, ErrorCode.InvalidRequest, "Invalid Request: initialize must not be part of a JSON-RPC batch");
        return;
      }
      const session = this.newSession(req, initialize, res);
      if (session === undefined) return;
      if (session.token !== undefined) headers[SESSION_HEADER] = session.token;
      req.sessionId = session.id;
      this.serve(req, res, session, messages, batch, headers);
    } else if (this.stateless) {
      const version = negotiateVersion(req.headers[VERSION_HEADER]);
      const session = new Session(undefined, { protocolVersion: version, capabilities: { sampling: true, elicitation: true, roots: true }, createdAt: Date.now() });
      this.serve(req, res, session, messages, batch, headers);
    } else {
      this.withSession(req, res, (found) => {
        if (found.renewed !== undefined) headers[SESSION_HEADER] = found.renewed;
        this.serve(req, res, found.session, messages, batch, headers);
      });
    }
  }

  /** The messages of a POST, in their session: notifications and client answers taken, requests dispatched. */
  private serve(req: HttpRequest, res: HttpResponse, session: Session, messages: JsonRpcMessage[], batch: boolean, headers: Record<string, string>): void {
    if (batch) {
      const version = (req.headers[VERSION_HEADER] as string | undefined) ?? session.protocolVersion;
      if (!BATCH_VERSIONS.has(version)) {
        rpcFailure(res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON-RPC batches were removed in protocol 2025-06-18; this session speaks ${version}. Send one message per POST.`);
        return;
      }
    }
    const requests: JsonRpcRequest[] = [];
    for (const message of messages) {
      if (isRequest(message)) requests.push(message);
      else if (isNotification(message)) this.deps.router.notification(session, message);
      else if (isResponse(message)) this.deps.forwarder.onClientResponse(session, message);
    }
    if (requests.length === 0) {
      res.writeHead(202).end();
      return;
    }
    this.dispatch(session, requests, batch, headers, res);
  }

  private newSession(req: HttpRequest, initialize: JsonRpcRequest, res: HttpResponse): Session | undefined {
    const params = initialize.params ?? {};
    const caps = (params.capabilities ?? {}) as Record<string, unknown>;
    const seed = {
      protocolVersion: negotiateVersion(params.protocolVersion),
      capabilities: { sampling: caps.sampling !== undefined, elicitation: caps.elicitation !== undefined, roots: caps.roots !== undefined },
      createdAt: Date.now(),
    };
    if (this.stateless) return new Session(undefined, seed);
    if (this.deps.draining()) {
      rpcFailure(res, 503, ErrorCode.InternalError, "Service Unavailable: the gateway is shutting down", { "retry-after": "1" });
      return undefined;
    }
    const client = this.addresses.of(req.remoteAddress, req.headers);
    const wait = this.sessionCreation.take(client);
    if (wait !== undefined) {
      const { createPerMinute, burst } = this.deps.config.sessions.perClient;
      rpcFailure(
        res, 429, ErrorCode.RateLimited,
        `Too Many Requests: this client (${client}) created its ${burst} sessions and may create ${createPerMinute} per minute (sessions.perClient); retry in ${Math.ceil(wait / 1000)} s, or reuse a session`,
        { "retry-after": String(Math.ceil(wait / 1000)) },
      );
      return undefined;
    }
    const refusal = this.deps.sessions.admit();
    if (refusal !== undefined) {
      const why =
        refusal === "full"
          ? `every one of this replica's ${this.deps.config.sessions.maxSessions} session slots is busy (sessions.maxSessions)`
          : `this replica remembers its maximum of ${MAX_ENDED} recently ended sessions`;
      rpcFailure(res, 503, ErrorCode.InternalError, `Service Unavailable: ${why}; retry shortly`, { "retry-after": "5" });
      return undefined;
    }
    this.deps.metrics.sessionCreated();
    return this.deps.sessions.create(seed);
  }

  private dispatch(session: Session, requests: JsonRpcRequest[], batch: boolean, headers: Record<string, string>, res: HttpResponse): void {
    const exchange = new PostExchange(res, requests.length, batch, headers, this.deps.config.http.maxResponseBytes);
    const inflight = this.deps.inflight;
    inflight.count += 1;
    exchange.onDone = () => {
      inflight.count -= 1;
    };
    const calls: ClientCall[] = [];
    res.onClose(() => {
      if (!exchange.finished) {
        // The client went away mid-call: cancel what it was waiting for (its own calls, not others' with the same id).
        for (const call of calls) call.cancel?.("client disconnected");
      }
    });
    for (const request of requests) {
      const refused = requestProblem(session, request);
      if (refused !== undefined) {
        exchange.complete(errorResponse(request.id, refused.code, refused.message));
        continue;
      }
      const call: ClientCall = { session, clientId: request.id, forward: (message) => exchange.forward(message) };
      calls.push(call);
      session.calls.set(request.id, call);
      let answered = false;
      const reply = (response: JsonRpcResponse): void => {
        if (answered) return;
        answered = true;
        if (session.calls.get(request.id) === call) session.calls.delete(request.id);
        exchange.complete(response);
      };
      try {
        this.deps.router.handle(session, request, call, reply);
      } catch (error) {
        // Nothing a request carries may throw past it: answer it, release it, and keep serving.
        this.deps.logger.error({ sessionId: session.id, method: request.method, err: (error as Error).stack }, "request failed");
        call.cancel?.("internal error");
        reply(errorResponse(request.id, ErrorCode.InternalError, `Internal error while handling ${methodLabel(request.method)}`));
      }
    }
  }

  private get(req: HttpRequest, res: HttpResponse): void {
    if (this.stateless) {
      rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: the gateway runs stateless (sessions.mode); there is no standalone stream", { allow: "POST" });
      return;
    }
    if (!accepts(req, "text/event-stream")) {
      rpcFailure(res, 406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list text/event-stream");
      return;
    }
    this.withSession(req, res, (found) => this.openStream(req, res, found));
  }

  private openStream(req: HttpRequest, res: HttpResponse, found: Found): void {
    const session = found.session;
    if (session.stream?.open === true) {
      rpcFailure(res, 409, ErrorCode.InvalidRequest, "Conflict: this session already has a standalone SSE stream open");
      return;
    }
    const stream = new SseWriter(res, found.renewed === undefined ? {} : { [SESSION_HEADER]: found.renewed });
    const keepAlive = setInterval(() => stream.keepAlive(), 15_000);
    keepAlive.unref();
    stream.onclose = () => {
      clearInterval(keepAlive);
      if (stream.overflowed) {
        this.deps.logger.warn({ reqId: req.reqId, sessionId: session.id }, `standalone stream dropped: the client left over ${MAX_STREAM_BACKLOG_BYTES} bytes unread; later messages wait (up to 100) for its next GET`);
      }
      if (session.stream === stream) session.stream = undefined;
      session.touch();
    };
    session.attachStream(stream);
  }

  private delete(req: HttpRequest, res: HttpResponse): void {
    if (this.stateless) {
      rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: the gateway runs stateless (sessions.mode)", { allow: "POST" });
      return;
    }
    this.withSession(req, res, (found) => {
      this.deps.closeSession(found.session);
      res.writeHead(200).end();
    });
  }
}
