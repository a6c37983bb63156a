/**
 * The front of the 2025 revisions (Streamable HTTP with sessions): `initialize` opens a session whose sealed id the
 * client sends back as `Mcp-Session-Id`; POST carries its messages, GET opens its standalone stream, DELETE ends it.
 * In `sessions.mode: stateless` every POST stands alone. Status codes follow the MCP transport spec.
 */
import type { GatewayConfig } from "../config.js";
import { callerKey, type RequestContext } from "../context.js";
import type { Forwarder } from "../downstream/forwarder.js";
import { accepts } from "../http/guards.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import { MAX_STREAM_BACKLOG_BYTES, SseWriter } from "../http/sse-writer.js";
import { ErrorCode, isNotification, isRequest, isResponse, type JsonRpcMessage, type JsonRpcRequest } from "../jsonrpc.js";
import { TokenBuckets } from "../limits/token-buckets.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { SUPPORTED_PROTOCOL_VERSIONS, batchesAllowed, isSupportedVersion, negotiateVersion } from "../protocol/versions.js";
import type { Routes } from "../routes/index.js";
import { Session } from "../session/session.js";
import { MAX_ENDED, type Found, type Lookup, type SessionStore } from "../session/store.js";
import { rpcFailure } from "./answers.js";
import type { Dispatcher } from "./dispatch.js";
import type { Front } from "./endpoint.js";

const SESSION_HEADER = "mcp-session-id";

/** The identity a new session is bound to (none without auth). */
const ownerOf = (ctx: RequestContext): { owner?: string } => (ctx.caller.principal === undefined ? {} : { owner: ctx.caller.principal.ref });
const VERSION_HEADER = "mcp-protocol-version";

export interface LegacyFrontDeps {
  config: GatewayConfig;
  routes: Routes;
  dispatcher: Dispatcher;
  forwarder: Forwarder;
  sessions: SessionStore;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Why new sessions are refused now (shutdown started; an adapter's server not up yet), or undefined. */
  sessionsRefused: () => string | undefined;
  /** Ends a session (DELETE). */
  endSession: (session: Session) => void;
}

export class LegacyFront implements Front {
  private readonly stateless: boolean;
  /** Session creation per client (`sessions.perClient`). */
  private readonly sessionCreation: TokenBuckets;

  constructor(private readonly deps: LegacyFrontDeps) {
    this.stateless = deps.config.sessions.mode === "stateless";
    const { createPerMinute, burst } = deps.config.sessions.perClient;
    this.sessionCreation = new TokenBuckets({ perSecond: createPerMinute / 60, burst });
  }

  /**
   * The session a request names (and a renewed id to send back, if due), or `undefined` after an error was sent.
   * Asynchronous only when a shared store must be asked whether the session ended (a session not live here).
   */
  private session(ctx: RequestContext, req: H1Request, res: H1Response): Found | undefined | Promise<Found | undefined> {
    const id = req.headers[SESSION_HEADER];
    if (typeof id !== "string" || id === "") {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
      return undefined;
    }
    const lookup = this.deps.sessions.lookup(id, ctx.caller.principal?.ref);
    return lookup instanceof Promise ? lookup.then((l) => this.found(req, res, l)) : this.found(req, res, lookup);
  }

  private found(req: H1Request, res: H1Response, lookup: Lookup): Found | undefined {
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
  private withSession(ctx: RequestContext, req: H1Request, res: H1Response, then: (found: Found) => void): void {
    const found = this.session(ctx, req, res);
    if (found instanceof Promise) {
      found.then((f) => f !== undefined && then(f)).catch((error: unknown) => {
        this.deps.logger.error({ reqId: req.reqId, err: (error as Error).stack }, "request failed");
        if (!res.headersSent) rpcFailure(res, 500, ErrorCode.InternalError, "Internal error");
      });
    } else if (found !== undefined) then(found);
  }

  post(ctx: RequestContext, req: H1Request, res: H1Response, messages: JsonRpcMessage[], batch: boolean): void {
    const version = req.headers[VERSION_HEADER];
    if (version !== undefined && !isSupportedVersion(version)) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, `Bad Request: unsupported MCP-Protocol-Version "${version}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
      return;
    }
    const initialize = messages.find((m) => isRequest(m) && m.method === "initialize") as JsonRpcRequest | undefined;
    const headers: Record<string, string> = {};
    if (initialize !== undefined) {
      if (batch) {
        rpcFailure(res, 400, ErrorCode.InvalidRequest, "Invalid Request: initialize must not be part of a JSON-RPC batch");
        return;
      }
      const session = this.newSession(ctx, initialize, res);
      if (session === undefined) return;
      if (session.token !== undefined) headers[SESSION_HEADER] = session.token;
      req.sessionId = session.id;
      this.serve(ctx, req, res, session, messages, batch, headers);
    } else if (this.stateless) {
      const session = new Session(undefined, { protocolVersion: negotiateVersion(version), capabilities: { sampling: true, elicitation: true, roots: true }, createdAt: Date.now(), ...ownerOf(ctx) });
      this.serve(ctx, req, res, session, messages, batch, headers);
    } else {
      this.withSession(ctx, req, res, (found) => {
        if (found.renewed !== undefined) headers[SESSION_HEADER] = found.renewed;
        this.serve(ctx, req, res, found.session, messages, batch, headers);
      });
    }
  }

  /** The messages of a POST, in their session: notifications and client answers taken, requests dispatched. */
  private serve(ctx: RequestContext, req: H1Request, res: H1Response, session: Session, messages: JsonRpcMessage[], batch: boolean, headers: Record<string, string>): void {
    if (batch) {
      const version = req.headers[VERSION_HEADER] ?? session.protocolVersion;
      if (!batchesAllowed(version)) {
        rpcFailure(res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON-RPC batches were removed in protocol 2025-06-18; this session speaks ${version}. Send one message per POST.`);
        return;
      }
    }
    const requests: JsonRpcRequest[] = [];
    for (const message of messages) {
      if (isRequest(message)) requests.push(message);
      else if (isNotification(message)) this.deps.routes.notification(session, message);
      else if (isResponse(message)) this.deps.forwarder.onClientResponse(session, message);
    }
    if (requests.length === 0) {
      res.writeHead(202).end();
      return;
    }
    this.deps.dispatcher.dispatch(ctx, session, requests, batch, headers, res);
  }

  private newSession(ctx: RequestContext, initialize: JsonRpcRequest, res: H1Response): Session | undefined {
    const params = initialize.params ?? {};
    const caps = (params.capabilities ?? {}) as Record<string, unknown>;
    const seed = {
      protocolVersion: negotiateVersion(params.protocolVersion),
      capabilities: { sampling: caps.sampling !== undefined, elicitation: caps.elicitation !== undefined, roots: caps.roots !== undefined },
      createdAt: Date.now(),
      ...ownerOf(ctx),
    };
    if (this.stateless) return new Session(undefined, seed);
    const refused = this.deps.sessionsRefused();
    if (refused !== undefined) {
      rpcFailure(res, 503, ErrorCode.InternalError, `Service Unavailable: ${refused}`, { "retry-after": "1" });
      return undefined;
    }
    const wait = this.sessionCreation.take(callerKey(ctx.caller));
    if (wait !== undefined) {
      const { createPerMinute, burst } = this.deps.config.sessions.perClient;
      const who = ctx.caller.principal?.id ?? ctx.caller.address;
      rpcFailure(
        res, 429, ErrorCode.RateLimited,
        `Too Many Requests: this client (${who}) created its ${burst} sessions and may create ${createPerMinute} per minute (sessions.perClient); retry in ${Math.ceil(wait / 1000)} s, or reuse a session`,
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

  get(ctx: RequestContext, req: H1Request, res: H1Response): void {
    if (this.stateless) {
      rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: the gateway runs stateless (sessions.mode); there is no standalone stream", { allow: "POST" });
      return;
    }
    if (!accepts(req, "text/event-stream")) {
      rpcFailure(res, 406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list text/event-stream");
      return;
    }
    this.withSession(ctx, req, res, (found) => this.openStream(req, res, found));
  }

  private openStream(req: H1Request, res: H1Response, found: Found): void {
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

  delete(ctx: RequestContext, req: H1Request, res: H1Response): void {
    if (this.stateless) {
      rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: the gateway runs stateless (sessions.mode)", { allow: "POST" });
      return;
    }
    this.withSession(ctx, req, res, (found) => {
      this.deps.endSession(found.session);
      res.writeHead(200).end();
    });
  }
}
