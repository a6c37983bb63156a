/**
 * The rate-limit step (per JSON-RPC request, on its resolved subject): a call to a backend spends one token from each
 * of its buckets, or is refused with `-32029` naming the rule and when to retry (HTTP 429 with `Retry-After` when it
 * is the whole answer of its POST: http/exchange.ts), counted in `mcp_gateway_rate_limited_total`. With the shared
 * store unreachable, `onUnavailable` decides: `closed` refuses (`-32603`, retry shortly), `open` lets the call through;
 * either within the store's `timeoutMs`, never a hang. No rules: no step.
 */
import type { GatewayConfig } from "../config.js";
import { ErrorCode, RpcError } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { RequestStep } from "../steps/steps.js";
import type { SharedState } from "../store/shared-state.js";
import { MemoryLimiter, SharedLimiter, type Decision, type Limiter } from "./limiter.js";
import { RateLimits } from "./rate-limits.js";

/** The error of a refused call: names the rule and when to retry. */
export function rateLimitedError(decision: NonNullable<Decision>): RpcError {
  const seconds = Math.max(1, Math.ceil(decision.retryMs / 1000));
  const { field, text } = decision.bucket.limit;
  return new RpcError(ErrorCode.RateLimited, `Rate limited: ${field} allows ${text}; retry in ${seconds} s`, { limit: field, retryAfterSeconds: seconds });
}

export function rateLimitStep(config: GatewayConfig, shared: SharedState, metrics: GatewayMetrics, logger: Logger): RequestStep | undefined {
  const limits = new RateLimits(config);
  if (limits.empty) return undefined;
  const store = config.rateLimits.store;
  const limiter: Limiter = shared.shared && shared.takeTokens !== undefined ? new SharedLimiter(shared as Required<Pick<SharedState, "takeTokens">>) : new MemoryLimiter();
  let loggedAt = -Infinity;
  const unavailable = (error: unknown): RpcError | undefined => {
    if (Date.now() - loggedAt > 10_000) {
      loggedAt = Date.now();
      logger.warn({ err: (error as Error).message, onUnavailable: shared.onUnavailable }, "rate limits cannot be checked: the shared store is unavailable");
    }
    if (shared.onUnavailable === "open") return undefined;
    return new RpcError(ErrorCode.InternalError, `Service Unavailable: rate limits cannot be checked, the shared store (rateLimits.store, ${store.type}) is unreachable and onUnavailable is closed; retry shortly`, { retryAfterSeconds: 1 });
  };
  const answer = (server: string, decision: Decision): RpcError | undefined => {
    if (decision === undefined) return undefined;
    metrics.rateLimited(server);
    return rateLimitedError(decision);
  };
  return {
    name: "rate-limits",
    check(call, _request, subject) {
      const buckets = limits.bucketsFor(call.ctx.caller, subject);
      if (buckets.length === 0 || subject.kind === "gateway" || subject.kind === "task") return undefined;
      const server = subject.server;
      let decision: Decision | Promise<Decision>;
      try {
        decision = limiter.take(buckets);
      } catch (error) {
        return unavailable(error);
      }
      if (decision instanceof Promise) return decision.then((d) => answer(server, d), unavailable);
      return answer(server, decision);
    },
  };
}
