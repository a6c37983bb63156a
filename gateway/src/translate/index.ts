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
import { NotSentError, type CallOptions } from "../upstream/backend.js";
import type { GatewayBackend } from "../upstream/pool.js";
import { withModernEnvelope, withoutModernEnvelope } from "./envelope.js";
import { runInputLoop } from "./input-loop.js";
import { InputRounds } from "./input-rounds.js";
import { RequestStateSeal } from "./request-state.js";
import { legacyError, legacyResult } from "./results.js";
import { TaskBridge, legacyTask, modernTask } from "./tasks.js";
import type { TaskOwners } from "../session/tasks.js";

export interface TranslatorDeps {
  forwarder: Forwarder;
  /** MACs under the key every replica shares (the session sealer's `sign`). */
  sign: (purpose: string, text: string) => Buffer;
  logger: Logger;
  /** Which session owns which backend task (the tasks bridge registers its background waits there). */
  taskOwners: TaskOwners;
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
  private readonly tasks: TaskBridge;

  constructor(private readonly deps: TranslatorDeps) {
    this.replica = deps.replica ?? randomBytes(6).toString("base64url");
    this.rounds = new InputRounds({
      forwarder: deps.forwarder,
      seal: new RequestStateSeal(deps.sign),
      replica: this.replica,
      logger: deps.logger,
      newId: () => randomBytes(12).toString("base64url"),
    });
    this.tasks = new TaskBridge(deps.forwarder, deps.taskOwners);
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
      const tasks = this.modernCallerTasks(call, backend, request, params, callOptions);
      if (tasks !== undefined) return tasks;
      const target = mcpNameOf(method, request.params) ?? "";
      if (params.requestState !== undefined && INPUT_REQUIRED_METHODS.has(method)) {
        return this.rounds.resume(call, method, target, params.requestState, params.inputResponses);
      }
      const legacyParams = withoutModernEnvelope(params);
      if (INPUT_REQUIRED_METHODS.has(method)) return this.rounds.start(call, backend, method, target, legacyParams, options, params.inputResponses);
      return this.plain(call, backend, method, legacyParams, callOptions);
    }
    const modernParams = withModernEnvelope(call, params);
    let pending: Promise<unknown>;
    if (method === "tools/call") {
      // A 2025 caller asking for a task: the backend hears the extension, and answers a task or a result.
      const asked = params.task !== undefined ? TaskBridge.withExtension(modernParams) : modernParams;
      pending = runInputLoop(this.deps.forwarder, call, backend, method, asked, callOptions).then((result) => (isTaskResult(result) ? { task: legacyTask(result) } : result));
    } else if (method === "tasks/result") {
      pending = this.tasks.resultFromModern(call, backend, String(params.taskId), withoutTaskId(modernParams), callOptions);
    } else if (method === "tasks/get" || method === "tasks/cancel") {
      pending = this.plain(call, backend, method, modernParams, callOptions).then(legacyTask);
    } else {
      pending = INPUT_REQUIRED_METHODS.has(method) ? runInputLoop(this.deps.forwarder, call, backend, method, modernParams, callOptions) : this.plain(call, backend, method, modernParams, callOptions);
    }
    return pending.then(legacyResult, (error: unknown) => {
      if (!(error instanceof RpcError)) throw error;
      const translated = rpcError(legacyError(method, error.toObject()));
      // A call that never reached the backend stays one (the forwarding boundary may send it elsewhere).
      throw error instanceof NotSentError ? new NotSentError(translated.code, translated.message, translated.data) : translated;
    });
  }

  /** Tasks of a 2025 backend for a 2026-07-28 caller (see tasks.ts), or `undefined` when the call is not about one. */
  private modernCallerTasks(call: ClientCall, backend: GatewayBackend, request: JsonRpcRequest, params: Record<string, unknown>, options: CallOptions<ClientCall>): Promise<unknown> | undefined {
    const { method } = request;
    const taskId = String(params.taskId);
    switch (method) {
      case "tools/call": {
        const exposed = typeof request.params?.name === "string" ? request.params.name : "";
        if (call.ctx.view.tool(exposed)?.taskSupport !== "required") return undefined;
        if (!TaskBridge.declared(call)) return Promise.reject(TaskBridge.required(exposed));
        const asked = { ...withoutModernEnvelope(params), task: {} };
        return this.plain(call, backend, method, asked, options).then((result) => {
          const task = (result as { task?: unknown } | undefined)?.task;
          return task === undefined ? result : { resultType: "task", ...modernTask(task) };
        });
      }
      case "tasks/get":
        return this.tasks.getFromLegacy(call, backend, taskId, options);
      case "tasks/update":
        return Promise.resolve().then(() => this.tasks.updateLegacy(backend, taskId, params.inputResponses));
      case "tasks/cancel":
        return this.plain(call, backend, method, withoutModernEnvelope(params), options).then(modernTask);
      default:
        return undefined;
    }
  }

  private plain(call: ClientCall, backend: GatewayBackend, method: string, params: Record<string, unknown>, options: CallOptions<ClientCall>): Promise<unknown> {
    const pending = backend.request(method, params, options);
    call.cancel = (reason) => backend.cancel(call, reason);
    return pending;
  }
}

/** A 2026-07-28 `CreateTaskResult` (`resultType: "task"`, the task's fields at the top). */
function isTaskResult(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as { resultType?: unknown }).resultType === "task";
}

function withoutTaskId(params: Record<string, unknown>): Record<string, unknown> {
  const { taskId: _id, ...rest } = params;
  return rest;
}

function rpcError(object: { code: number; message: string; data?: unknown }): RpcError {
  return new RpcError(object.code, object.message, object.data);
}
