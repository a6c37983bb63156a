/**
 * The way from a route to a backend: picks the connection that serves a server for this call (the upstream pool
 * decides: an endpoint of the set, or the session's own), sends the request with the call as its context (progress
 * and backend->client requests find their way back through it), makes the call cancellable, and answers with the
 * backend's result or error. A failure may be retried (retry.ts: only where safe, within the retry budget and the
 * call's deadline) or served by a fallback server (fallback.ts).
 */
import type { BackendConfig } from "../config.js";
import type { ClientCall } from "../context.js";
import type { JsonRpcRequest } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { Outcome } from "../observability/metrics-contract.js";
import type { Tracing } from "../observability/trace-context.js";
import { endSpan } from "../observability/tracing.js";
import type { Span } from "@opentelemetry/api";
import { Translator } from "../translate/index.js";
import { NotSentError, type CallOptions } from "../upstream/backend.js";
import type { Endpoint, Track } from "../upstream/endpoints.js";
import type { BackendPool } from "../upstream/pool.js";
import type { Fallbacks } from "./fallback.js";
import { asErrorObject, errorOutcome } from "../observability/outcome.js";
import { MIN_RETRY_MS, RetryBudget, retryable } from "./retry.js";
import type { Reply } from "./route.js";

export interface ForwardOptions {
  /** For errors and logs, e.g. `tools/call "echo"`. */
  label: string;
  /** Called with the outcome, the backend's result (for per-tool metrics) and the side of the canary split that served. */
  done?: (outcome: Outcome, result: unknown, track: Track) => void;
  /** Turns the backend's result into the client's (e.g. task ids into handles); `endpoint`: the one that answered. */
  rewrite?: (result: unknown, endpoint: Endpoint) => unknown;
  /**
   * A call about a task: it goes to the endpoint that created the task (its `taskAnchor`, upstream/endpoints.ts) and no other: never
   * balanced, retried elsewhere or served by a fallback. `what` names it in errors, e.g. `tasks/get of task "t1"`.
   */
  pin?: { anchor: string; what: string };
  /** @default the server's timeoutMs */
  timeoutMs?: number;
  /** May the call be repeated after it reached a backend (reads, prompts, completions, read-only or idempotent tools)? @default false */
  safe?: boolean;
  /** A tool call: the backend's name of the tool, for capability fallback. */
  tool?: string;
}

export class Forwarding {
  private readonly budgets = new WeakMap<BackendConfig, RetryBudget>();

  constructor(
    private readonly pool: BackendPool,
    private readonly logger: Logger,
    private readonly translator: Translator,
    private readonly fallbacks?: Fallbacks,
    /** Spans of upstream attempts, under each call's route span; unset: none. */
    private readonly traces?: { tracing: Tracing; routeSpan: (call: ClientCall) => Span | undefined },
  ) {}

  private budget(config: BackendConfig): RetryBudget {
    let budget = this.budgets.get(config);
    if (budget === undefined) this.budgets.set(config, (budget = new RetryBudget(config.retries.budgetRatio, config.retries.budgetBurst)));
    return budget;
  }

  /** Sends `request` (with `params`) to `server` on behalf of `call`, and replies with the answer. */
  forward(call: ClientCall, server: string, request: JsonRpcRequest, params: Record<string, unknown>, reply: Reply, options: ForwardOptions): void {
    const { id, method } = request;
    const config = this.pool.sets.get(server)?.config;
    const timeoutMs = options.timeoutMs ?? config?.timeoutMs;
    const startedAt = Date.now();
    let retries = 0;
    let fellBack = false;
    if (config !== undefined) this.budget(config).deposit();

    const answered = (endpoint: Endpoint) => (result: unknown) => {
      const outcome: Outcome = fellBack ? "fallback" : (result as { isError?: boolean } | undefined)?.isError === true ? "tool_error" : "ok";
      options.done?.(outcome, result, endpoint.track);
      reply({ jsonrpc: "2.0", id, result: options.rewrite === undefined ? result : options.rewrite(result, endpoint) });
    };
    const send = (endpoint: Endpoint, attemptTimeoutMs: number | undefined): void => {
      const backend = endpoint.backend;
      const callOptions: CallOptions<ClientCall> = { label: options.label, context: call, onProgress: (n) => call.forward(n) };
      if (attemptTimeoutMs !== undefined) callOptions.timeoutMs = attemptTimeoutMs;
      let sent = params;
      let span: Span | undefined;
      if (this.traces !== undefined) {
        ({ span, params: sent } = this.traces.tracing.upstream(this.traces.routeSpan(call), method, params, { "mcp.server": backend.name, "mcp.endpoint": endpoint.key, "mcp.version": endpoint.track }));
      }
      let pending: Promise<unknown>;
      if (Translator.needed(call, backend)) {
        // Another era on either side: the translation room (never a 2025 caller of a 2025 backend, the hot path).
        pending = this.translator.send(call, backend, request, sent, attemptTimeoutMs === undefined ? options : { ...options, timeoutMs: attemptTimeoutMs });
      } else {
        pending = backend.request(method, sent, callOptions);
        call.cancel = (reason) => backend.cancel(call, reason);
      }
      if (span !== undefined) {
        const s = span;
        pending.then(() => endSpan(s, undefined), (error: unknown) => endSpan(s, asErrorObject(error)));
      }
      pending.then(answered(endpoint), (error: unknown) => failed(error, endpoint)).catch((error: unknown) => this.logger.error({ reqId: call.ctx.reqId, traceId: call.ctx.trace?.traceId, sessionId: call.session.id, method, err: (error as Error).message }, "answering a call failed"));
    };
    const attempt = (target: string, attemptTimeoutMs: number | undefined): void => {
      let endpoint: Endpoint | Promise<Endpoint>;
      try {
        endpoint = this.pool.endpointFor(target, call, options.pin);
      } catch (error) {
        failed(error, undefined);
        return;
      }
      // Shared endpoints (the common case) are picked synchronously: no extra promise hop on the hot path.
      if (endpoint instanceof Promise) endpoint.then((e) => send(e, attemptTimeoutMs), (error: unknown) => failed(error, undefined));
      else send(endpoint, attemptTimeoutMs);
    };
    const failed = (error: unknown, endpoint: Endpoint | undefined): void => {
      const remaining = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - startedAt);
      const timeLeft = remaining === undefined || remaining >= MIN_RETRY_MS;
      if (!fellBack && config !== undefined && timeLeft && options.pin === undefined) {
        const set = this.pool.sets.get(server);
        if (retries < config.retries.maxAttempts && (set?.members.length ?? 0) > 1 && !this.pool.isIsolated(server, call.session) && retryable(error, options.safe === true) && this.budget(config).withdraw()) {
          retries += 1;
          this.logger.debug({ reqId: call.ctx.reqId, traceId: call.ctx.trace?.traceId, server, method, attempt: retries + 1, err: (error as Error).message }, "retrying a call on another endpoint");
          attempt(server, remaining);
          return;
        }
        const fallback = error instanceof NotSentError && options.tool !== undefined ? this.fallbacks?.target(server, options.tool, config.fallback[options.tool]) : undefined;
        if (fallback !== undefined) {
          fellBack = true;
          this.logger.info({ reqId: call.ctx.reqId, traceId: call.ctx.trace?.traceId, server, tool: options.tool, fallback, err: (error as Error).message }, "serving a call from its fallback server");
          attempt(fallback, remaining);
          return;
        }
      }
      const object = asErrorObject(error);
      options.done?.(errorOutcome(object), undefined, endpoint?.track ?? "stable");
      reply({ jsonrpc: "2.0", id, error: object });
    };
    attempt(server, options.timeoutMs);
  }
}
