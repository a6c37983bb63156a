/**
 * Tasks across eras: the experimental tasks of 2025-11-25 (`task` on the request, `tasks/get`, the blocking
 * `tasks/result`, requests to the client while `tasks/result` waits) and the `io.modelcontextprotocol/tasks`
 * extension of 2026-07-28 (SEP-2663: the server decides, `resultType: "task"`, polling with `tasks/get` that
 * carries the result or the `inputRequests`, `tasks/update` for the answers). Task ids are handles bound to the
 * caller either way (routes/tasks.ts).
 *
 * 2026-07-28 caller, 2025 backend: a tool whose `taskSupport` is `required` runs as a task when the caller declares
 * the extension (else `-32021` naming it); `tasks/get` of a finished task carries its result (or error) from the
 * backend's `tasks/result`; while the task is `input_required`, a `tasks/result` waits in the background (a "pump")
 * to receive what the backend asks, which `tasks/get` lists as `inputRequests` and `tasks/update` answers.
 * 2025 caller, 2026-07-28 backend: a task-augmented call declares the extension to the backend; `tasks/result` is
 * emulated by polling `tasks/get` (at the task's `pollIntervalMs`), asking the caller for what `inputRequests` need
 * (on that `tasks/result`'s stream) and answering with `tasks/update`.
 */
import type { ClientCall } from "../context.js";
import type { Forwarder } from "../downstream/forwarder.js";
import { ErrorCode, RpcError, isRequest } from "../jsonrpc.js";
import { CAPABILITY_OF_REQUEST, META, ModernErrorCode, TASKS_EXTENSION } from "../protocol/modern.js";
import { Session } from "../session/session.js";
import { RELATED_TASK, type TaskOwners } from "../session/tasks.js";
import type { CallOptions } from "../upstream/backend.js";
import type { GatewayBackend } from "../upstream/pool.js";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** A 2025 Task as the extension's (`ttl` -> `ttlMs`, `pollInterval` -> `pollIntervalMs`). */
export function modernTask(task: unknown): Json {
  if (!isObject(task)) return {};
  const { ttl, pollInterval, _meta: _dropped, ...rest } = task;
  const out: Json = { ...rest, ttlMs: typeof ttl === "number" ? ttl : null };
  if (typeof pollInterval === "number") out.pollIntervalMs = pollInterval;
  return out;
}

/** An extension Task as 2025's (without what 2025 puts elsewhere: the result, error and input requests). */
export function legacyTask(task: unknown): Json {
  if (!isObject(task)) return {};
  const { ttlMs, pollIntervalMs, resultType: _type, result: _result, error: _error, inputRequests: _input, _meta: _meta, ...rest } = task;
  const out: Json = { ...rest, ttl: typeof ttlMs === "number" ? ttlMs : null };
  if (typeof pollIntervalMs === "number") out.pollInterval = pollIntervalMs;
  return out;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
/** How long a `tasks/get` of an `input_required` task waits for the backend's request to arrive in the pump. */
const FIRST_QUESTION_MS = 2000;
/** A pump outlives its task's end this long (a last `tasks/get` collects the result from it). */
const PUMP_AFTERLIFE_MS = 10 * 60_000;
const POLL_MS = { min: 100, max: 5000, fallback: 1000 };

interface Question {
  clientId: string | number;
  method: string;
  params: Json | undefined;
}

/** A background `tasks/result` of a 2025 task, for 2026-07-28 callers: what the backend asks while it waits. */
class Pump {
  readonly questions = new Map<string, Question>();
  outcome: { result: unknown } | { error: RpcError } | undefined;
  private seq = 0;
  private arrived: (() => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly relay: ClientCall;

  constructor(template: ClientCall, session: Session, server: string, upstreamId: string) {
    this.relay = {
      ctx: template.ctx,
      session,
      clientId: `task:${upstreamId}`,
      waitsForTask: { server, upstreamId },
      forward: (message) => {
        if (!isRequest(message)) return;
        const { params } = message;
        const meta = isObject(params?._meta) ? { ...params._meta } : undefined;
        if (meta !== undefined) delete meta[RELATED_TASK];
        const clean = params === undefined ? undefined : meta === undefined || Object.keys(meta).length === 0 ? omitMeta(params) : { ...params, _meta: meta };
        this.seq += 1;
        this.questions.set(`${CAPABILITY_OF_REQUEST[message.method] ?? "input"}-${this.seq}`, { clientId: message.id, method: message.method, params: clean });
        this.arrived?.();
      },
    };
  }

  /** Resolves once a question is waiting (or after `ms`). */
  async question(ms: number): Promise<void> {
    if (this.questions.size > 0 || this.outcome !== undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.arrived = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.arrived = undefined;
  }
}

function omitMeta(params: Json): Json {
  const { _meta: _dropped, ...rest } = params;
  return rest;
}

/** A session that may be asked anything (the pump keeps what its task's backend asks for the caller's tasks/get). */
const PUMP_SEED = { protocolVersion: "2026-07-28", capabilities: { sampling: true, elicitation: true, roots: true }, createdAt: 0 };

export class TaskBridge {
  private readonly pumps = new Map<string, Pump>();

  constructor(
    private readonly forwarder: Forwarder,
    private readonly owners: TaskOwners,
  ) {}

  /** Declares the extension toward a 2026-07-28 backend (a 2025 caller asked for a task). */
  static withExtension(params: Json): Json {
    const meta = isObject(params._meta) ? params._meta : {};
    const declared = meta[META.clientCapabilities];
    const caps: Json = isObject(declared) ? declared : {};
    const extensions = isObject(caps.extensions) ? caps.extensions : {};
    const { task: _asked, ...rest } = params;
    return { ...rest, _meta: { ...meta, [META.clientCapabilities]: { ...caps, extensions: { ...extensions, [TASKS_EXTENSION]: {} } } } };
  }

  /** Does a 2026-07-28 caller declare the extension? */
  static declared(call: ClientCall): boolean {
    const extensions = call.ctx.modern?.capabilities.extensions;
    return isObject(extensions) && isObject(extensions[TASKS_EXTENSION]);
  }

  /** The refusal of a task-only tool for a caller without the extension. */
  static required(tool: string): RpcError {
    const requiredCapabilities = { extensions: { [TASKS_EXTENSION]: {} } };
    return new RpcError(
      ModernErrorCode.MissingRequiredClientCapability,
      `Missing required client capability: the ${TASKS_EXTENSION} extension (tool "${tool}" runs only as a task); declare it in ${META.clientCapabilities}.extensions`,
      { requiredCapabilities },
    );
  }

  private key(server: string, upstreamId: string): string {
    return `${server}\n${upstreamId}`;
  }

  /** `tasks/get` of a 2025 task for a 2026-07-28 caller: the extension's detailed task. */
  async getFromLegacy(call: ClientCall, backend: GatewayBackend, upstreamId: string, options: CallOptions<ClientCall>): Promise<Json> {
    const key = this.key(backend.name, upstreamId);
    let pump = this.pumps.get(key);
    const task = modernTask(await backend.request("tasks/get", { taskId: upstreamId }, options));
    const status = task.status;
    if (status === "input_required") {
      pump ??= this.startPump(call, backend, upstreamId, options);
      await pump.question(FIRST_QUESTION_MS);
      if (pump.questions.size === 0) return { ...task, status: "working", statusMessage: task.statusMessage ?? "waiting for the server's input request" };
      const inputRequests: Json = {};
      for (const [k, q] of pump.questions) inputRequests[k] = q.params === undefined ? { method: q.method } : { method: q.method, params: q.params };
      return { ...task, inputRequests };
    }
    if (typeof status === "string" && TERMINAL.has(status) && status !== "cancelled") {
      const outcome = pump?.outcome ?? (await this.payload(backend, upstreamId, options));
      if (pump !== undefined && pump.timer === undefined) {
        pump.timer = setTimeout(() => this.pumps.delete(key), PUMP_AFTERLIFE_MS);
        pump.timer.unref();
      }
      return "result" in outcome ? { ...task, result: outcome.result } : { ...task, status: "failed", error: outcome.error.toObject() };
    }
    return task;
  }

  private async payload(backend: GatewayBackend, upstreamId: string, options: CallOptions<ClientCall>): Promise<{ result: unknown } | { error: RpcError }> {
    try {
      return { result: await backend.request("tasks/result", { taskId: upstreamId }, { label: options.label, timeoutMs: options.timeoutMs }) };
    } catch (error) {
      return { error: error instanceof RpcError ? error : new RpcError(ErrorCode.InternalError, (error as Error).message) };
    }
  }

  private startPump(call: ClientCall, backend: GatewayBackend, upstreamId: string, options: CallOptions<ClientCall>): Pump {
    const key = this.key(backend.name, upstreamId);
    const session = new Session(undefined, PUMP_SEED);
    const pump = new Pump(call, session, backend.name, upstreamId);
    this.pumps.set(key, pump);
    this.owners.add({ server: backend.name, upstreamId }, session);
    backend.request("tasks/result", { taskId: upstreamId }, { label: `tasks/result of task "${upstreamId}"`, context: pump.relay, timeoutMs: 3_600_000 }).then(
      (result) => (pump.outcome = { result }),
      (error: unknown) => (pump.outcome = { error: error instanceof RpcError ? error : new RpcError(ErrorCode.InternalError, String(error)) }),
    );
    void options;
    return pump;
  }

  /** `tasks/update` of a 2025 task: the answers go to the requests the pump holds (unknown keys are ignored). */
  updateLegacy(backend: GatewayBackend, upstreamId: string, inputResponses: unknown): Json {
    if (!isObject(inputResponses)) throw new RpcError(ErrorCode.InvalidParams, "tasks/update needs inputResponses: an object of the client's result for each key of inputRequests");
    const pump = this.pumps.get(this.key(backend.name, upstreamId));
    for (const [key, answer] of Object.entries(inputResponses)) {
      const question = pump?.questions.get(key);
      if (question === undefined || !isObject(answer)) continue;
      pump!.questions.delete(key);
      this.forwarder.onClientResponse(pump!.relay.session, { jsonrpc: "2.0", id: question.clientId, result: answer });
    }
    return {};
  }

  /**
   * `tasks/result` of a 2026-07-28 task for a 2025 caller: polls `tasks/get` until the task ends; asks the caller
   * (on this call's stream) what its `inputRequests` need and answers with `tasks/update`.
   */
  async resultFromModern(call: ClientCall, backend: GatewayBackend, upstreamId: string, params: Json, options: CallOptions<ClientCall>): Promise<unknown> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    let cancelled = false;
    call.cancel = () => void (cancelled = true);
    const answered = new Set<string>();
    while (!cancelled) {
      const task = (await backend.request("tasks/get", { ...params, taskId: upstreamId }, { label: options.label, context: call })) as Json;
      const status = task.status;
      if (status === "completed") return withRelatedTask(task.result, upstreamId);
      if (status === "failed") {
        const error = isObject(task.error) ? task.error : {};
        throw new RpcError(typeof error.code === "number" ? error.code : ErrorCode.InternalError, typeof error.message === "string" ? error.message : `task "${upstreamId}" failed`, error.data);
      }
      if (status === "cancelled") throw new RpcError(ErrorCode.InternalError, `Task "${upstreamId}" on server "${backend.name}" was cancelled`);
      if (status === "input_required" && isObject(task.inputRequests)) {
        const inputResponses: Json = {};
        for (const [key, request] of Object.entries(task.inputRequests)) {
          if (answered.has(key) || !isObject(request) || typeof request.method !== "string") continue;
          const asked = this.forwarder.askClient(call, request.method, isObject(request.params) ? request.params : undefined);
          inputResponses[key] = await asked.answer;
          answered.add(key);
        }
        if (Object.keys(inputResponses).length > 0) {
          await backend.request("tasks/update", { ...params, taskId: upstreamId, inputResponses }, { label: options.label });
          continue;
        }
      }
      if (Date.now() > deadline) throw new RpcError(ErrorCode.RequestTimeout, `Task "${upstreamId}" on server "${backend.name}" did not end within the time tasks/result waits`);
      const interval = typeof task.pollIntervalMs === "number" ? task.pollIntervalMs : POLL_MS.fallback;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS.max, Math.max(POLL_MS.min, interval))));
    }
    throw new RpcError(ErrorCode.InternalError, `${options.label} on server "${backend.name}" was cancelled by the client.`);
  }
}

/** A task's result as 2025 `tasks/result` gives it: with the related-task `_meta` (its id is rewritten to the handle). */
function withRelatedTask(result: unknown, upstreamId: string): unknown {
  if (!isObject(result)) return result;
  const meta = isObject(result._meta) ? result._meta : {};
  return { ...result, _meta: { ...meta, [RELATED_TASK]: { taskId: upstreamId } } };
}
