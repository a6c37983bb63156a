/**
 * The MCP endpoint (`listen.path`): admission (steps), the body read as JSON-RPC within its bounds, the era of the
 * request, and the front of that era. Every front gets the request's context: who calls, in which era, and what
 * the caller sees of the catalog.
 */
import type { GatewayConfig } from "../config.js";
import type { Caller, CatalogView, RequestContext } from "../context.js";
import { ClientAddresses } from "../http/client-address.js";
import { accepts, isJsonContentType } from "../http/guards.js";
import type { H1Request, H1Response } from "../http/h1/server.js";
import { ErrorCode, errorResponse, type JsonRpcMessage } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { Tracing } from "../observability/trace-context.js";
import { traceOfHeaders } from "../observability/tracing.js";
import { envelopeProblem, validId } from "../protocol/envelope.js";
import { eraOf, type Era } from "../protocol/era.js";
import { nestingExceeds } from "../protocol/json.js";
import type { Refusal, Steps } from "../steps/steps.js";
import { rpcFailure, sendJson } from "./answers.js";

/** A front: how one era of MCP is served over HTTP. */
export interface Front {
  post(ctx: RequestContext, req: H1Request, res: H1Response, messages: JsonRpcMessage[], batch: boolean): void;
  get(ctx: RequestContext, req: H1Request, res: H1Response): void;
  delete(ctx: RequestContext, req: H1Request, res: H1Response): void;
}

export interface EndpointDeps {
  config: GatewayConfig;
  steps: Steps;
  /** What callers see of the catalog (before any step narrows it). */
  view: CatalogView;
  /** What an admitted caller sees instead, when access rules narrow it (per identity; access/views.ts). @default view */
  viewFor?: (caller: Caller) => CatalogView;
  /** The front of each era; an era without its own front is served by the legacy one. */
  fronts: { legacy: Front } & Partial<Record<Era, Front>>;
  logger: Logger;
  /** Spans of requests (observability/tracing.ts); unset: no span is made. */
  tracing?: Tracing;
}

export class McpEndpoint {
  private readonly addresses: ClientAddresses;

  constructor(private readonly deps: EndpointDeps) {
    this.addresses = new ClientAddresses(deps.config.http.trustedProxies);
  }

  handle(req: H1Request, res: H1Response): void {
    const caller: Caller = { address: this.addresses.of(req.remoteAddress, req.headers), principal: undefined };
    const refusal = this.deps.steps.admit(req, caller);
    if (refusal instanceof Promise) {
      refusal.then((r) => this.admitted(req, res, caller, r)).catch((error: unknown) => this.failed(req, res, error));
    } else {
      this.admitted(req, res, caller, refusal);
    }
  }

  private admitted(req: H1Request, res: H1Response, caller: Caller, refusal: Refusal | undefined): void {
    if (refusal !== undefined) {
      rpcFailure(res, refusal.status, refusal.code, refusal.message, refusal.headers);
      return;
    }
    if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
      rpcFailure(res, 405, ErrorCode.InvalidRequest, `Method ${req.method} not allowed on the MCP endpoint; use POST, GET or DELETE.`, { allow: "GET, POST, DELETE" });
      return;
    }
    try {
      if (req.method === "POST") {
        this.post(req, res, caller);
        return;
      }
      const era = eraOf(req, undefined);
      const ctx: RequestContext = { reqId: req.reqId ?? "", era, caller, view: this.deps.viewFor?.(caller) ?? this.deps.view };
      const front = this.deps.fronts[era] ?? this.deps.fronts.legacy;
      if (req.method === "GET") front.get(ctx, req, res);
      else front.delete(ctx, req, res);
    } catch (error) {
      this.failed(req, res, error);
    }
  }

  private failed(req: H1Request, res: H1Response, error: unknown): void {
    this.deps.logger.error({ reqId: req.reqId, err: (error as Error).stack }, `${req.method} failed`);
    if (!res.headersSent) rpcFailure(res, 500, ErrorCode.InternalError, "Internal error");
    else res.end();
  }

  /** A POST's body as JSON-RPC messages within the bounds (`http.*`), or the error that refuses it. */
  private post(req: H1Request, res: H1Response, caller: Caller): void {
    if (!accepts(req, "application/json") || !accepts(req, "text/event-stream")) {
      rpcFailure(res, 406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list both application/json and text/event-stream");
      return;
    }
    if (!isJsonContentType(req)) {
      rpcFailure(res, 415, ErrorCode.InvalidRequest, "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    const limits = this.deps.config.http;
    if (req.bodyTooLarge) {
      rpcFailure(res, 413, ErrorCode.InvalidRequest, `Payload Too Large: the body exceeds ${limits.maxBodyBytes} bytes (http.maxBodyBytes)`, { connection: "close" });
      return;
    }
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
    const era = eraOf(req, body);
    const ctx: RequestContext = { reqId: req.reqId ?? "", era, caller, view: this.deps.viewFor?.(caller) ?? this.deps.view };
    const trace = this.deps.tracing?.request(req.method, this.deps.config.listen.path, req.headers) ?? traceOfHeaders(req.headers);
    if (trace !== undefined) {
      ctx.trace = trace;
      const span = trace.span;
      if (span !== undefined) res.onClose(() => span.setAttribute("http.response.status_code", res.statusCode).end());
    }
    (this.deps.fronts[era] ?? this.deps.fronts.legacy).post(ctx, req, res, messages, batch);
  }
}
