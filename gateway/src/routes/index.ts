/**
 * The routes by method, and the way every JSON-RPC request goes through them: resolve its subject, run the
 * per-request steps on it, serve it; the answer is counted (`mcp_gateway_rpc_requests_total`) on its way out.
 */
import type { GatewayConfig } from "../config.js";
import type { Span } from "@opentelemetry/api";
import type { ClientCall } from "../context.js";
import { ErrorCode, RpcError, type JsonRpcNotification, type JsonRpcRequest } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { Tracing } from "../observability/trace-context.js";
import { endSpan } from "../observability/tracing.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { Session } from "../session/session.js";
import type { Subscriptions } from "../session/subscriptions.js";
import type { TaskHandles, TaskOwners } from "../session/tasks.js";
import type { CallAudit } from "../audit/recorder.js";
import type { Steps } from "../steps/steps.js";
import type { Translator } from "../translate/index.js";
import type { BackendPool } from "../upstream/pool.js";
import { completeRoute } from "./completions.js";
import { Fallbacks, type ToolSchemas } from "./fallback.js";
import { Forwarding } from "./forward.js";
import { initializeRoute, pingRoute } from "./lifecycle.js";
import { discoverRoute } from "./discover.js";
import { listRoute, type Lists } from "./lists.js";
import { setLevelRoute } from "./logging.js";
import { clientNotification } from "./notifications.js";
import { outcomeOf } from "../observability/outcome.js";
import { getPromptRoute } from "./prompts.js";
import { readRoute } from "./resources.js";
import { failure, type Reply, type Route } from "./route.js";
import { subscriptionRoute } from "./subscriptions.js";
import { TASKS_LIST_REFUSAL, taskRoute } from "./tasks.js";
import { toolCallRoute } from "./tools.js";

export interface RoutesDeps {
  config: GatewayConfig;
  pool: BackendPool;
  subscriptions: Subscriptions;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Live sessions (for the fan-out of logging levels). */
  sessions: () => Iterable<Session>;
  tasks: { handles: TaskHandles; owners: TaskOwners };
  steps: Steps;
  /** The input schemas backends list (capability fallback compares them). */
  schemas: ToolSchemas;
  /** Spans of routes and upstream calls; unset: none. */
  tracing?: Tracing;
  /** Between the eras of callers and backends. */
  translator: Translator;
  /** The whole catalog and its lists' cache hints (the registry). */
  lists: Lists;
  /** The audit log's recorder (audit/), when `audit.file` is set. */
  audit?: CallAudit;
}

/** A route that only refuses. */
const refusing = (error: RpcError): Route => ({ resolve: () => error, serve: () => undefined });

export class Routes {
  private readonly table = new Map<string, Route>();
  /** Each call's route span (tracing on), for the upstream spans under it. */
  private readonly spans = new WeakMap<ClientCall, Span>();

  constructor(private readonly deps: RoutesDeps) {
    const { config, pool, metrics, logger, tasks, subscriptions } = deps;
    const forwarding = new Forwarding(pool, logger, deps.translator, new Fallbacks(deps.schemas, logger), deps.tracing === undefined ? undefined : { tracing: deps.tracing, routeSpan: (call) => this.spans.get(call) });
    const routes: Record<string, Route> = {
      initialize: initializeRoute(config, pool),
      ping: pingRoute,
      "server/discover": discoverRoute(config, pool),
      "tools/list": listRoute("tools", deps.lists),
      "resources/list": listRoute("resources", deps.lists),
      "resources/templates/list": listRoute("resourceTemplates", deps.lists),
      "prompts/list": listRoute("prompts", deps.lists),
      "tools/call": toolCallRoute({ forwarding, metrics, tasks }) as Route,
      "resources/read": readRoute(forwarding) as Route,
      "resources/subscribe": subscriptionRoute({ pool, subscriptions, forwarding, logger }) as Route,
      "resources/unsubscribe": subscriptionRoute({ pool, subscriptions, forwarding, logger }) as Route,
      "prompts/get": getPromptRoute(forwarding) as Route,
      "completion/complete": completeRoute(forwarding) as Route,
      "logging/setLevel": setLevelRoute({ pool, sessions: deps.sessions }),
      "tasks/get": taskRoute({ pool, handles: tasks.handles, forwarding }) as Route,
      "tasks/result": taskRoute({ pool, handles: tasks.handles, forwarding }) as Route,
      "tasks/cancel": taskRoute({ pool, handles: tasks.handles, forwarding }) as Route,
      "tasks/update": taskRoute({ pool, handles: tasks.handles, forwarding }) as Route,
      "tasks/list": refusing(TASKS_LIST_REFUSAL),
    };
    for (const [method, route] of Object.entries(routes)) this.table.set(method, route);
  }

  /** Serves one request of a call; `reply` is called exactly once. */
  handle(call: ClientCall, request: JsonRpcRequest, reply: Reply): void {
    const { method } = request;
    const tracing = this.deps.tracing;
    const span = tracing === undefined ? undefined : tracing.route(method, request.params?._meta, call.ctx.trace, {});
    if (span !== undefined) this.spans.set(call, span);
    const audit = this.deps.audit?.begin(call, request);
    const answer: Reply = (response) => {
      this.deps.metrics.rpcRequest(method, outcomeOf(response));
      audit?.(response);
      if (span !== undefined) endSpan(span, response.error);
      reply(response);
    };
    const route = this.table.get(method) ?? refusing(new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`));
    const subject = route.resolve(call, request);
    if (span !== undefined && !(subject instanceof RpcError) && subject.kind !== "gateway") {
      span.setAttribute("mcp.server", subject.server);
      if (subject.kind === "tool" || subject.kind === "prompt") span.setAttribute(`mcp.${subject.kind}`, subject.name);
    }
    if (subject instanceof RpcError) {
      answer(failure(request, subject));
      return;
    }
    const refused = this.deps.steps.check(call, request, subject);
    if (refused === undefined) {
      route.serve(call, request, subject, answer);
    } else if (refused instanceof Promise) {
      refused
        .then((error) => (error === undefined ? route.serve(call, request, subject, answer) : answer(failure(request, error))))
        .catch((error: unknown) => {
          this.deps.logger.error({ sessionId: call.session.id, method, err: (error as Error).stack }, "request failed");
          answer(failure(request, new RpcError(ErrorCode.InternalError, `Internal error while handling ${method}`)));
        });
    } else {
      answer(failure(request, refused));
    }
  }

  /** A client notification. */
  notification(session: Session, message: JsonRpcNotification): void {
    clientNotification(this.deps.pool, session, message);
  }
}
