/**
 * The front of revision 2026-07-28 (stateless Streamable HTTP, basic/transports/streamable-http.mdx): one JSON-RPC
 * message per POST, no session. Each request is checked and served on its own, by any replica, from what it
 * carries: its `_meta` (version, client capabilities, log level) becomes the request's context; nothing about the
 * caller is kept between requests (a backend call waiting for input is held in a sealed `requestState`, see
 * translate/input-rounds.ts).
 *
 * Answers: `400 -32602` for a malformed `_meta`, `400 -32020` when `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
 * or `Mcp-Param-*` disagree with the body (or are missing), `400 -32022` for an unsupported version (naming the
 * supported ones), `404 -32601` for an unknown or removed method, `400 -32021` for a missing client capability,
 * `202` for a notification, `405` for GET and DELETE. A request's answer is JSON, or an SSE stream carrying only
 * that request's progress and (when it set `logLevel`) its logs before the result; closing the stream cancels the
 * request. Every result carries `resultType` and the gateway's `serverInfo`.
 */
import type { GatewayConfig } from "../config.js";
import type { ClientCall, RequestContext } from "../context.js";
import { PostExchange } from "../http/exchange.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import { ErrorCode, isNotification, isRequest, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { methodLabel } from "../observability/metrics.js";
import { paramHeadersProblem, standardHeadersProblem } from "../protocol/headers.js";
import { REMOVED_METHODS, declares, envelopeOf, isRefusal, statusOfError, unsupportedVersion, type ModernEnvelope, type Refusal } from "../protocol/modern.js";
import { LOG_LEVELS } from "../protocol/versions.js";
import type { Routes } from "../routes/index.js";
import { Session } from "../session/session.js";
import { modernAnswer } from "../translate/results.js";
import { rpcFailure, sendJson } from "./answers.js";
import type { Front } from "./endpoint.js";
import type { ListenStreams } from "./listen.js";

export interface StatelessFrontDeps {
  config: GatewayConfig;
  routes: Routes;
  listens: ListenStreams;
  logger: Logger;
  /** Counts POSTs being answered (for draining on shutdown). */
  inflight: { count: number };
  /** Why `server/discover` is refused now (an adapter's server not up yet: its capabilities are unknown), or undefined. */
  discoveryRefused?: () => string | undefined;
}

/**
 * The session of a 2026-07-28 request, by the capabilities it declares (sampling, elicitation, roots as 3 bits): the
 * routes take a session, but a stateless request has none, and these hold nothing of any request (never mutated).
 */
const REQUEST_SESSIONS: readonly Session[] = Array.from(
  { length: 8 },
  (_, bits) => new Session(undefined, { protocolVersion: "2026-07-28", capabilities: { sampling: (bits & 1) !== 0, elicitation: (bits & 2) !== 0, roots: (bits & 4) !== 0 }, createdAt: 0 }),
);

/** SSE answers must not sit in a proxy's buffer (streamable-http.mdx, "Receiving Messages"). */
const STREAM_HEADERS = { "x-accel-buffering": "no" };

/** The HTTP status of a one-request answer that went out as JSON. */
function statusOf(response: JsonRpcResponse): number {
  if (response.error === undefined) return 200;
  const data = response.error.data as { retryable?: unknown } | undefined;
  if (data?.retryable === true) return 503;
  return statusOfError(response.error.code);
}

export class StatelessFront implements Front {
  constructor(private readonly deps: StatelessFrontDeps) {}

  post(ctx: RequestContext, req: H1Request, res: H1Response, messages: JsonRpcMessage[], batch: boolean): void {
    const message = messages[0]!;
    if (batch) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, "Invalid Request: 2026-07-28 has no JSON-RPC batches; send one message per POST");
      return;
    }
    if (isNotification(message)) {
      // The core protocol defines none over HTTP (cancellation is closing the request's stream): accepted, no effect.
      res.writeHead(202).end();
      return;
    }
    if (!isRequest(message)) {
      rpcFailure(res, 400, ErrorCode.InvalidRequest, "Invalid Request: a 2026-07-28 client sends no JSON-RPC responses (answers to input requests go in inputResponses of a retry)");
      return;
    }
    const envelope = envelopeOf(message.params);
    if (isRefusal(envelope)) return this.refuse(res, message, envelope);
    const problem = standardHeadersProblem(req.headers, message.method, message.params, envelope) ?? unsupportedVersion(envelope.protocolVersion);
    if (problem !== undefined) return this.refuse(res, message, problem);
    if (REMOVED_METHODS.has(message.method)) {
      return this.refuse(res, message, {
        status: 404,
        code: ErrorCode.MethodNotFound,
        message: `Method not found: ${message.method} is not part of 2026-07-28 (it serves 2025 sessions after initialize)`,
      });
    }
    if (message.method === "server/discover") {
      const refused = this.deps.discoveryRefused?.();
      if (refused !== undefined) {
        sendJson(res, 503, { jsonrpc: "2.0", id: message.id, error: { code: ErrorCode.InternalError, message: `Service Unavailable: ${refused}`, data: { retryable: true } } }, { "retry-after": "1" });
        return;
      }
    }
    const modern: RequestContext = { reqId: ctx.reqId, era: ctx.era, caller: ctx.caller, view: ctx.view, modern: envelope };
    if (message.method === "tools/call") {
      const name = message.params?.name;
      const target = typeof name === "string" ? ctx.view.tool(name) : undefined;
      if (target?.paramHeaders !== undefined) {
        const mismatch = paramHeadersProblem(target.paramHeaders, req.headers, message.params?.arguments);
        if (mismatch !== undefined) return this.refuse(res, message, mismatch);
      }
    }
    if (message.method === "subscriptions/listen") {
      this.deps.listens.open(modern, req, res, message);
      return;
    }
    this.serve(modern, envelope, res, message);
  }

  private refuse(res: H1Response, request: JsonRpcRequest, refusal: Refusal): void {
    const error = refusal.data === undefined ? { code: refusal.code, message: refusal.message } : { code: refusal.code, message: refusal.message, data: refusal.data };
    sendJson(res, refusal.status, { jsonrpc: "2.0", id: request.id, error });
  }

  /** One request, on its own (its log level and capabilities are its envelope's). */
  private serve(ctx: RequestContext, envelope: ModernEnvelope, res: H1Response, request: JsonRpcRequest): void {
    const session = REQUEST_SESSIONS[(declares(envelope, "sampling") ? 1 : 0) | (declares(envelope, "elicitation") ? 2 : 0) | (declares(envelope, "roots") ? 4 : 0)]!;
    const exchange = new PostExchange(res, 1, false, {}, this.deps.config.http.maxResponseBytes);
    exchange.statusOf = statusOf;
    exchange.streamHeaders = STREAM_HEADERS;
    const inflight = this.deps.inflight;
    inflight.count += 1;
    exchange.onDone = () => {
      inflight.count -= 1;
    };
    const minLevel = envelope.logLevel === undefined ? -1 : LOG_LEVELS.indexOf(envelope.logLevel);
    const call: ClientCall = {
      ctx,
      session,
      clientId: request.id,
      // Only what relates to this request: its progress, and its logs when it asked for them (never requests).
      forward: (message) => {
        if (!("method" in message) || "id" in message) return;
        if (message.method === "notifications/progress") exchange.forward(message);
        else if (message.method === "notifications/message") {
          if (minLevel >= 0 && (LOG_LEVELS as readonly string[]).indexOf(String(message.params?.level)) >= minLevel) exchange.forward(message);
        }
      },
    };
    res.onClose(() => {
      // A closed stream is the request's cancellation (streamable-http.mdx, "Cancellation").
      if (!exchange.finished) call.cancel?.("the client closed the stream");
    });
    const reply = (response: JsonRpcResponse): void => exchange.complete(modernAnswer(request.method, response));
    try {
      this.deps.routes.handle(call, request, reply);
    } catch (error) {
      this.deps.logger.error({ reqId: ctx.reqId, method: request.method, err: (error as Error).stack }, "request failed");
      call.cancel?.("internal error");
      reply({ jsonrpc: "2.0", id: request.id, error: { code: ErrorCode.InternalError, message: `Internal error while handling ${methodLabel(request.method)}` } });
    }
  }

  get(_ctx: RequestContext, _req: H1Request, res: H1Response): void {
    rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: 2026-07-28 has no GET stream; open one with a subscriptions/listen POST", { allow: "POST" });
  }

  delete(_ctx: RequestContext, _req: H1Request, res: H1Response): void {
    rpcFailure(res, 405, ErrorCode.InvalidRequest, "Method Not Allowed: 2026-07-28 has no sessions to delete", { allow: "POST" });
  }
}
