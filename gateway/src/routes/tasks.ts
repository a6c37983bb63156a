/**
 * MCP tasks (2025-11-25, and the 2026-07-28 extension through translate/tasks.ts): `tasks/get`, `tasks/result`,
 * `tasks/cancel` (and `tasks/update`) go to the server that owns the task and, of its endpoints, to the one that
 * created it (named in the handle; when it cannot answer, an error names the server and why), with the backend's
 * own task id, and are answered with the caller's handle (session/tasks.ts). `tasks/list` is not offered: a shared
 * backend (every endpoint of it) would list every client's tasks, and a list kept by one replica would miss tasks
 * created on another.
 */
import { callerKey, type ClientCall } from "../context.js";
import { ErrorCode, RpcError } from "../jsonrpc.js";
import { resultForClient, type TaskHandles } from "../session/tasks.js";
import type { BackendPool } from "../upstream/pool.js";
import type { Forwarding, ForwardOptions } from "./forward.js";
import type { Route, Subject } from "./route.js";

type Task = Extract<Subject, { kind: "task" }>;

/**
 * Whom a task handle is bound to: the caller's session (2025), or for a 2026-07-28 caller (no session) the caller
 * itself (its identity once authenticated, else its address).
 */
export function taskOwnerKey(call: ClientCall): string | undefined {
  return call.session.id ?? (call.ctx.era === "stateless" ? `caller:${callerKey(call.ctx.caller)}` : undefined);
}

/** `tasks/result` blocks until the task ends: it gets this long, not the server's per-call `timeoutMs`. */
export const TASK_RESULT_TIMEOUT_MS = 3_600_000;

export function taskRoute(deps: { pool: BackendPool; handles: TaskHandles; forwarding: Forwarding }): Route<Task> {
  return {
    resolve(call, request) {
      const handle = request.params?.taskId;
      const ref = deps.handles.open(taskOwnerKey(call), handle, call.session.seed.owner);
      if (ref === undefined || deps.pool.primary(ref.server) === undefined) {
        return new RpcError(ErrorCode.InvalidParams, `Unknown task: ${JSON.stringify(handle ?? null)}. Task ids come from a task-augmented tools/call through this gateway, in the same session.`);
      }
      return { kind: "task", server: ref.server, upstreamId: ref.upstreamId, handle: handle as string, ...(ref.endpoint === undefined ? {} : { endpoint: ref.endpoint }) };
    },
    serve(call, request, task, reply) {
      const label = `${request.method} of task "${task.upstreamId}"`;
      const options: ForwardOptions = { label, rewrite: (answer) => resultForClient(answer, task.handle) };
      // Sticky: the endpoint that created the task, or an error naming the server (never another endpoint's "unknown task").
      if (task.endpoint !== undefined) options.pin = { anchor: task.endpoint, what: label };
      if (request.method === "tasks/result") {
        options.timeoutMs = TASK_RESULT_TIMEOUT_MS;
        call.waitsForTask = { server: task.server, upstreamId: task.upstreamId }; // what the backend asks for this task while the client waits goes on this call's stream
      }
      deps.forwarding.forward(call, task.server, request, { ...request.params, taskId: task.upstreamId }, reply, options);
    },
  };
}

export const TASKS_LIST_REFUSAL = new RpcError(
  ErrorCode.MethodNotFound,
  "Method not found: tasks/list is not offered by the gateway (shared backends would list every client's tasks). Keep the task ids your tools/call returned and poll them with tasks/get.",
);
