/**
 * Between a route and a backend: the era translation (routes/forward.ts hands every call that needs one here; a
 * 2025 caller of a 2025 backend never comes here). Who calls whom:
 * - 2026-07-28 caller, 2026-07-28 backend: as is (the caller's envelope, `inputResponses`, the backend's own
 *   `requestState`), with the backend's names in body and headers and the mirrored `Mcp-Param-*`;
 * - 2026-07-28 caller, 2025 backend: without the envelope; requests the backend sends mid-call become
 *   `input_required` rounds with the gateway's sealed `requestState` (input-rounds.ts);
 * - 2025 caller, 2026-07-28 backend: the session's envelope on every request; `input_required` answered by the
 *   gateway asking the caller (input-loop.ts); results without `resultType`, a missing resource as `-32002`.
 * Results and errors for 2026-07-28 callers are shaped by the front (results.ts), whatever answered.
 */
import { randomBytes } from "node:crypto";
import type { ClientCall } from "../context.js";
import type { Forwarder } from "../downstream/forwarder.js";
import { RpcError, type JsonRpcRequest } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import { mcpNameOf, paramHeadersFor } from "../protocol/headers.js";
import { INPUT_REQUIRED_METHODS } from "../protocol/modern.js";
import type { CallOptions } from "../upstream/backend.js";
import type { GatewayBackend } from "../upstream/pool.js";
import { withModernEnvelope, withoutModernEnvelope } from "./envelope.js";
import { runInputLoop } from "./input-loop.js";
import { InputRounds } from "./input-rounds.js";
import { RequestStateSeal } from "./request-state.js";
import { legacyError, legacyResult } from "./results.js";

export interface TranslatorDeps {
  forwarder: Forwarder;
  /** MACs under the key every replica shares (the session sealer's `sign`). */
  sign: (purpose: string, text: string) => Buffer;
  logger: Logger;
  /** This replica's id in the tokens it seals. @default random */
  replica?: string;
}

export interface TranslatedCall {
  label: string;
  timeoutMs?: number;
}

export class Translator {
  readonly rounds: InputRounds;
  readonly replica: string;

  constructor(private readonly deps: TranslatorDeps) {
    this.replica = deps.replica ?? randomBytes(6).toString("base64url");
    this.rounds = new InputRounds({
      forwarder: deps.forwarder,
      seal: new RequestStateSeal(deps.sign),
      replica: this.replica,
      logger: deps.logger,
      newId: () => randomBytes(12).toString("base64url"),
    });
  }

  /** Does a call to this backend need translating? Not on the hot path: a 2025 caller of a 2025 backend. */
  static needed(call: ClientCall, backend: GatewayBackend): boolean {
    return backend.modern || call.ctx.era !== "legacy";
  }

  /**
   * Sends `request` (as `params`, already with the backend's names) to `backend` for `call`, in the backend's era;
   * resolves with what answers the caller's request, in the caller's era. Makes the call cancellable.
   */
  send(call: ClientCall, backend: GatewayBackend, request: JsonRpcRequest, params: Record<string, unknown>, options: TranslatedCall): Promise<unknown> {
    const { method } = request;
    const callOptions: CallOptions<ClientCall> = { label: options.label, context: call, onProgress: (n) => call.forward(n) };
    if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
    if (backend.modern && method === "tools/call") {
      const specs = typeof request.params?.name === "string" ? call.ctx.view.tool(request.params.name)?.paramHeaders : undefined;
      const headers = specs === undefined ? undefined : paramHeadersFor(specs, params.arguments);
      if (headers !== undefined) callOptions.headers = headers;
    }
    if (call.ctx.era === "stateless") {
      if (backend.modern) return this.plain(call, backend, method, params, callOptions);
      const target = mcpNameOf(method, request.params) ?? "";
      if (params.requestState !== undefined && INPUT_REQUIRED_METHODS.has(method)) {
        return this.rounds.resume(call, method, target, params.requestState, params.inputResponses);
      }
      const legacyParams = withoutModernEnvelope(params);
      if (INPUT_REQUIRED_METHODS.has(method)) return this.rounds.start(call, backend, method, target, legacyParams, { ...options, inputResponses: params.inputResponses });
      return this.plain(call, backend, method, legacyParams, callOptions);
    }
    const modernParams = withModernEnvelope(call, params);
    const pending = INPUT_REQUIRED_METHODS.has(method)
      ? runInputLoop(this.deps.forwarder, call, backend, method, modernParams, callOptions)
      : this.plain(call, backend, method, modernParams, callOptions);
    return pending.then(legacyResult, (error: unknown) => {
      throw error instanceof RpcError ? rpcError(legacyError(method, error.toObject())) : error;
    });
  }

  private plain(call: ClientCall, backend: GatewayBackend, method: string, params: Record<string, unknown>, options: CallOptions<ClientCall>): Promise<unknown> {
    const pending = backend.request(method, params, options);
    call.cancel = (reason) => backend.cancel(call, reason);
    return pending;
  }
}

function rpcError(object: { code: number; message: string; data?: unknown }): RpcError {
  return new RpcError(object.code, object.message, object.data);
}
