/**
 * A 2025 caller of a 2026-07-28 backend that answers `input_required` (MRTR, basic/patterns/mrtr.mdx): the gateway
 * runs the rounds itself. Each of the backend's `inputRequests` becomes a real request to the caller on its call's
 * stream (sampling, elicitation, roots: what a 2025 client expects), their answers go back as `inputResponses` with
 * the backend's `requestState` on a retry, until the backend completes (at most {@link MAX_ROUNDS} rounds).
 * Progress of every round reaches the caller under its own token; cancelling the call withdraws the open questions
 * and cancels the round in flight.
 */
import type { ClientCall } from "../context.js";
import type { Forwarder, Asked } from "../downstream/forwarder.js";
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { CAPABILITY_OF_REQUEST } from "../protocol/modern.js";
import type { CallOptions } from "../upstream/backend.js";
import type { GatewayBackend } from "../upstream/pool.js";

export const MAX_ROUNDS = 16;
/**
 * A retry refused as retryable (a replicated 2026 backend, e.g. our own gateway's adapter replicas behind a Service,
 * holds the round on another replica) is sent again this many more times: each may reach the holder.
 */
export const RETRYABLE_ATTEMPTS = 8;

const retryable = (error: unknown): boolean => error instanceof RpcError && (error.data as { retryable?: unknown } | undefined)?.retryable === true;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function isInputRequired(result: unknown): result is { resultType: "input_required"; inputRequests?: unknown; requestState?: unknown } {
  return isObject(result) && result.resultType === "input_required";
}

export async function runInputLoop(
  forwarder: Forwarder,
  call: ClientCall,
  backend: GatewayBackend,
  method: string,
  params: Record<string, unknown>,
  options: CallOptions<ClientCall>,
): Promise<unknown> {
  const open: Asked[] = [];
  let cancelled: string | undefined;
  call.cancel = (reason) => {
    cancelled = reason ?? "cancelled by the client";
    for (const asked of open) asked.withdraw(cancelled);
    backend.cancel(call, reason);
  };
  let round = params;
  for (let i = 0; ; i++) {
    let result: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await backend.request(method, round, options);
        break;
      } catch (error) {
        if (i === 0 || attempt + 1 >= RETRYABLE_ATTEMPTS || !retryable(error) || cancelled !== undefined) throw error;
      }
    }
    if (!isInputRequired(result)) return result;
    if (cancelled !== undefined) throw new RpcError(ErrorCode.InternalError, `${options.label} on server "${backend.name}" was cancelled by the client.`);
    if (i + 1 >= MAX_ROUNDS) {
      throw new RpcError(ErrorCode.InternalError, `Server "${backend.name}" asked for input ${MAX_ROUNDS} times during ${options.label}; the gateway gave up`);
    }
    const requests = isObject(result.inputRequests) ? result.inputRequests : {};
    const responses: Record<string, unknown> = {};
    await Promise.all(
      Object.entries(requests).map(async ([key, request]) => {
        const kind = isObject(request) && typeof request.method === "string" ? request.method : undefined;
        const capability = kind === undefined ? undefined : CAPABILITY_OF_REQUEST[kind];
        if (capability === undefined) throw new RpcError(ErrorCode.InternalError, `Server "${backend.name}" asked for an input of unknown kind ${JSON.stringify(kind ?? null)} during ${options.label}`);
        if (!call.session.seed.capabilities[capability]) {
          throw new RpcError(ErrorCode.InternalError, `Server "${backend.name}" asked for ${kind} during ${options.label}, but this client did not declare "${capability}"`);
        }
        const asked = forwarder.askClient(call, kind!, isObject((request as Record<string, unknown>).params) ? ((request as Record<string, unknown>).params as Record<string, unknown>) : undefined);
        open.push(asked);
        responses[key] = await asked.answer;
      }),
    );
    open.length = 0;
    round = { ...params, inputResponses: responses };
    if (typeof result.requestState === "string") round.requestState = result.requestState;
  }
}
