/**
 * The way from a route to a backend: picks the connection that serves a server for this call (the upstream pool
 * decides: a shared endpoint, or the session's own), sends the request with the call as its context (progress and
 * backend->client requests find their way back through it), makes the call cancellable, and answers with the
 * backend's result or error.
 */
import type { ClientCall } from "../context.js";
import type { JsonRpcRequest } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { Outcome } from "../observability/metrics-contract.js";
import { Translator } from "../translate/index.js";
import type { CallOptions } from "../upstream/backend.js";
import type { BackendPool, GatewayBackend } from "../upstream/pool.js";
import { asErrorObject, errorOutcome } from "./outcome.js";
import type { Reply } from "./route.js";

export interface ForwardOptions {
  /** For errors and logs, e.g. `tools/call "echo"`. */
  label: string;
  /** Called with the outcome and the backend's result (for per-tool metrics). */
  done?: (outcome: Outcome, result: unknown) => void;
  /** Turns the backend's result into the client's (e.g. task ids into handles). */
  rewrite?: (result: unknown) => unknown;
  /** @default the server's timeoutMs */
  timeoutMs?: number;
}

export class Forwarding {
  constructor(
    private readonly pool: BackendPool,
    private readonly logger: Logger,
    private readonly translator: Translator,
  ) {}

  /** Sends `request` (with `params`) to `server` on behalf of `call`, and replies with the answer. */
  forward(call: ClientCall, server: string, request: JsonRpcRequest, params: Record<string, unknown>, reply: Reply, options: ForwardOptions): void {
    const { id, method } = request;
    const send = (backend: GatewayBackend): Promise<unknown> => {
      // Another era on either side: the translation room (never a 2025 caller of a 2025 backend, the hot path).
      if (Translator.needed(call, backend)) return this.translator.send(call, backend, request, params, options);
      const callOptions: CallOptions<ClientCall> = { label: options.label, context: call, onProgress: (n) => call.forward(n) };
      if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
      const pending = backend.request(method, params, callOptions);
      call.cancel = (reason) => backend.cancel(call, reason);
      return pending;
    };
    // Shared endpoints (the common case) are picked synchronously: no extra promise hop on the hot path.
    const endpoint = this.pool.endpointFor(server, call);
    const pending = endpoint instanceof Promise ? endpoint.then(send) : send(endpoint);
    pending
      .then(
        (result) => {
          options.done?.((result as { isError?: boolean } | undefined)?.isError === true ? "tool_error" : "ok", result);
          reply({ jsonrpc: "2.0", id, result: options.rewrite === undefined ? result : options.rewrite(result) });
        },
        (error: unknown) => {
          const object = asErrorObject(error);
          options.done?.(errorOutcome(object), undefined);
          reply({ jsonrpc: "2.0", id, error: object });
        },
      )
      .catch((error: unknown) => this.logger.error({ sessionId: call.session.id, method, err: (error as Error).message }, "answering a call failed"));
  }
}
