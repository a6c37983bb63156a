/** `tools/call`: to the backend that owns the exposed tool, under its own name; a task-augmented call's task id becomes a handle. */
import { ErrorCode, RpcError } from "../jsonrpc.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { createdTaskId, resultForClient, type TaskHandles, type TaskOwners } from "../session/tasks.js";
import type { Session } from "../session/session.js";
import type { Forwarding, ForwardOptions } from "./forward.js";
import { taskOwnerKey } from "./tasks.js";
import type { ClientCall } from "../context.js";
import type { Route, Subject } from "./route.js";
import { taskAnchor, type Endpoint } from "../upstream/endpoints.js";

type Tool = Extract<Subject, { kind: "tool" }>;

export function toolCallRoute(deps: { forwarding: Forwarding; metrics: GatewayMetrics; tasks: { handles: TaskHandles; owners: TaskOwners } }): Route<Tool> {
  /** A task-augmented call's answer: the backend's task id becomes the session's handle, and the session its owner. */
  const taskCreated = (call: ClientCall, server: string, answer: unknown, endpoint: Endpoint): unknown => {
    const upstreamId = createdTaskId(answer);
    if (upstreamId === undefined) return answer; // the backend ran it as a plain call
    // The handle names the endpoint that created the task: every task method goes back there (routes/tasks.ts).
    const ref = { server, upstreamId, endpoint: taskAnchor(endpoint) };
    const session: Session = call.session;
    if (session.id !== undefined) deps.tasks.owners.add(ref, session);
    return resultForClient(answer, deps.tasks.handles.handle(taskOwnerKey(call), ref, call.session.seed.owner));
  };
  return {
    resolve(call, request) {
      const name = request.params?.name;
      if (typeof name !== "string") return new RpcError(ErrorCode.InvalidParams, 'tools/call needs "name", the tool to call');
      const target = call.ctx.view.tool(name);
      if (target === undefined) {
        deps.metrics.toolCall("unknown", "unknown", "error", 0);
        return new RpcError(ErrorCode.InvalidParams, `Unknown tool: "${name}". Call tools/list for the tools this gateway exposes.`);
      }
      return { kind: "tool", server: target.server, name: target.name };
    },
    serve(call, request, tool, reply) {
      const params = request.params ?? {};
      const started = performance.now();
      const options: ForwardOptions = {
        label: `tools/call "${tool.name}"`,
        done: (outcome, _result, track) => deps.metrics.toolCall(tool.server, tool.name, outcome, (performance.now() - started) / 1000, track),
        // Retried after reaching a backend only when the tool says repeating it is harmless; fallback by its own name.
        safe: call.ctx.view.tool(params.name as string)?.retrySafe === true,
        tool: tool.name,
      };
      // A 2026-07-28 caller asks for no task: the server decides (a task result may come to any call).
      if (params.task !== undefined || call.ctx.era === "stateless") options.rewrite = (answer, endpoint) => taskCreated(call, tool.server, answer, endpoint);
      deps.forwarding.forward(call, tool.server, request, { ...params, name: tool.name }, reply, options);
    },
  };
}
