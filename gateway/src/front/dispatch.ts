/**
 * The JSON-RPC requests of one POST, served: each becomes a call of its session (refused at once when its id is
 * already in flight there, or its params break the rules of every request), goes through the routes, and its
 * answer goes into the POST's exchange (a JSON body, or an SSE stream once something is forwarded first). Nothing a
 * request carries may throw past it: a failure answers that request, releases it, and is logged.
 */
import type { GatewayConfig } from "../config.js";
import type { ClientCall, RequestContext } from "../context.js";
import { PostExchange } from "../http/exchange.js";
import type { H1Response } from "../http/h1/server.js";
import { ErrorCode, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { methodLabel } from "../observability/metrics.js";
import { paramsProblem } from "../protocol/params.js";
import type { Routes } from "../routes/index.js";
import type { Session } from "../session/session.js";

/** Why a well-formed request is refused before routing (answered as its JSON-RPC error), or undefined. */
function requestProblem(session: Session, request: JsonRpcRequest): { code: number; message: string } | undefined {
  if (session.calls.has(request.id)) {
    return { code: ErrorCode.InvalidRequest, message: `Invalid Request: id ${JSON.stringify(request.id)} is already used by a request in flight in this session; use a new id for each request` };
  }
  const problem = paramsProblem(request.params);
  return problem === undefined ? undefined : { code: ErrorCode.InvalidParams, message: `Invalid params: ${problem}` };
}

export interface DispatchDeps {
  config: GatewayConfig;
  routes: Routes;
  logger: Logger;
  /** Counts POSTs being answered (for draining on shutdown). */
  inflight: { count: number };
}

export class Dispatcher {
  constructor(private readonly deps: DispatchDeps) {}

  dispatch(ctx: RequestContext, session: Session, requests: JsonRpcRequest[], batch: boolean, headers: Record<string, string>, res: H1Response): void {
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
      const call: ClientCall = { ctx, session, clientId: request.id, forward: (message) => exchange.forward(message) };
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
        this.deps.routes.handle(call, request, reply);
      } catch (error) {
        this.deps.logger.error({ reqId: ctx.reqId, traceId: ctx.trace?.traceId, sessionId: session.id, method: request.method, err: (error as Error).stack }, "request failed");
        call.cancel?.("internal error");
        reply(errorResponse(request.id, ErrorCode.InternalError, `Internal error while handling ${methodLabel(request.method)}`));
      }
    }
  }
}
