/**
 * Client -> backend: dispatches each client JSON-RPC request of a session to the gateway's own answer (initialize,
 * lists, ping) or to the backend that owns the tool, resource, prompt or completion ref.
 */
import type { GatewayConfig } from "../config.js";
import { ErrorCode, RpcError, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { Outcome } from "../observability/metrics-contract.js";
import type { ClientCall, Session } from "../session/session.js";
import type { BackendPool, GatewayBackend } from "../upstream/pool.js";
import { GATEWAY_INFO, type CallOptions, type ServerCapabilities } from "../upstream/backend.js";
import type { Registry } from "./registry.js";
import type { Subscriptions } from "./subscriptions.js";
import { LOG_LEVELS } from "./forwarder.js";
import { createdTaskId, resultForClient, type TaskHandles, type TaskOwners } from "./tasks.js";

export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0];

/** Where the router sends the answer of one request. */
export type Reply = (response: JsonRpcResponse) => void;

export interface RouterDeps {
  config: GatewayConfig;
  pool: BackendPool;
  registry: Registry;
  subscriptions: Subscriptions;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Live sessions (for the fan-out of logging levels). */
  sessions: () => Iterable<Session>;
  /** Task handles and owners (MCP tasks). */
  tasks: { handles: TaskHandles; owners: TaskOwners };
}

/** `tasks/result` blocks until the task ends: it gets this long, not the server's per-call `timeoutMs`. */
export const TASK_RESULT_TIMEOUT_MS = 3_600_000;

interface ForwardOptions {
  /** For errors and logs, e.g. `tools/call "echo"`. */
  label: string;
  /** Called with the outcome and the backend's result (for metrics). */
  done?: (outcome: Outcome, result: unknown) => void;
  /** Turns the backend's result into the client's (e.g. task ids into handles). */
  rewrite?: (result: unknown) => unknown;
  /** @default the server's timeoutMs */
  timeoutMs?: number;
}

export function negotiateVersion(requested: unknown): string {
  return typeof requested === "string" && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

function rpcError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof RpcError) return error.toObject();
  return { code: ErrorCode.InternalError, message: error instanceof Error ? error.message : String(error) };
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof RpcError) {
    if (error.code === ErrorCode.RequestTimeout) return "timeout";
    if (error.code === ErrorCode.BackendUnavailable && /^Server "/.test(error.message)) return "unavailable";
  }
  return "error";
}

export class Router {
  constructor(private readonly deps: RouterDeps) {}

  /** The capabilities the gateway offers: the union of what its backends offer. */
  capabilities(): Record<string, unknown> {
    const caps: Record<string, Record<string, unknown>> = {};
    for (const backend of this.deps.pool.shared.values()) {
      const c: ServerCapabilities = backend.capabilities;
      if (c.tools !== undefined) caps.tools = { listChanged: true };
      if (c.prompts !== undefined) caps.prompts = { listChanged: true };
      if (c.resources !== undefined) caps.resources = { listChanged: true, subscribe: (caps.resources?.subscribe as boolean | undefined) === true || c.resources.subscribe === true };
      if (c.logging !== undefined) caps.logging = {};
      if (c.completions !== undefined) caps.completions = {};
      const tasks = c.tasks as { cancel?: object; requests?: { tools?: { call?: object } } } | undefined;
      if (tasks?.requests?.tools?.call !== undefined) {
        // Task-augmented tools/call, get, result and cancel are routed; tasks/list is not offered (see tasks.ts).
        caps.tasks = { ...caps.tasks, requests: { tools: { call: {} } } };
        if (tasks.cancel !== undefined) caps.tasks.cancel = {};
      }
    }
    caps.tools ??= { listChanged: true };
    return caps;
  }

  initializeResult(protocolVersion: string): Record<string, unknown> {
    const result: Record<string, unknown> = { protocolVersion, capabilities: this.capabilities(), serverInfo: GATEWAY_INFO };
    if (this.deps.config.naming.passthrough) {
      const only = [...this.deps.pool.shared.values()][0];
      if (only?.instructions !== undefined) result.instructions = only.instructions;
    }
    return result;
  }

  /** Handles one request; `reply` is called exactly once. */
  handle(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const { id, method } = request;
    const params = request.params ?? {};
    switch (method) {
      case "tools/call":
        this.callTool(session, request, call, reply);
        return;
      case "ping":
        reply({ jsonrpc: "2.0", id, result: {} });
        return;
      case "initialize":
        reply({ jsonrpc: "2.0", id, result: this.initializeResult(negotiateVersion(params.protocolVersion)) });
        return;
      case "tools/list":
        this.ok(reply, id, method, { tools: this.deps.registry.tools });
        return;
      case "resources/list":
        this.ok(reply, id, method, { resources: this.deps.registry.resources });
        return;
      case "resources/templates/list":
        this.ok(reply, id, method, { resourceTemplates: this.deps.registry.resourceTemplates });
        return;
      case "prompts/list":
        this.ok(reply, id, method, { prompts: this.deps.registry.prompts });
        return;
      case "resources/read":
        this.forwardByUri(session, request, call, reply);
        return;
      case "resources/subscribe":
      case "resources/unsubscribe":
        this.subscription(session, request, reply);
        return;
      case "prompts/get":
        this.getPrompt(session, request, call, reply);
        return;
      case "completion/complete":
        this.complete(session, request, call, reply);
        return;
      case "logging/setLevel":
        this.setLevel(session, request, reply);
        return;
      case "tasks/get":
      case "tasks/result":
      case "tasks/cancel":
        this.taskRequest(session, request, call, reply);
        return;
      case "tasks/list":
        this.fail(
          reply, id, method,
          new RpcError(ErrorCode.MethodNotFound, "Method not found: tasks/list is not offered by the gateway (shared backends would list every client's tasks). Keep the task ids your tools/call returned and poll them with tasks/get."),
        );
        return;
      default:
        this.fail(reply, id, method, new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`));
    }
  }

  private ok(reply: Reply, id: JsonRpcRequest["id"], method: string, result: unknown): void {
    this.deps.metrics.rpcRequest(method, "ok");
    reply({ jsonrpc: "2.0", id, result });
  }

  private fail(reply: Reply, id: JsonRpcRequest["id"], method: string, error: unknown): void {
    this.deps.metrics.rpcRequest(method, outcomeOf(error));
    reply({ jsonrpc: "2.0", id, error: rpcError(error) });
  }

  /** Sends a request to a backend on behalf of a client call and replies with the backend's answer. */
  private forward(session: Session, server: string, request: JsonRpcRequest, params: Record<string, unknown>, call: ClientCall, reply: Reply, options: ForwardOptions): void {
    const { id, method } = request;
    const send = (backend: GatewayBackend): Promise<unknown> => {
      const callOptions: CallOptions<ClientCall> = { label: options.label, context: call, onProgress: (n) => call.forward(n) };
      if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
      const pending = backend.request(method, params, callOptions);
      call.cancel = (reason) => backend.cancel(call, reason);
      return pending;
    };
    // Shared backends (the common case) are picked synchronously: no extra promise hop on the hot path.
    const shared = this.deps.pool.sharedFor(server, session);
    const pending = shared !== undefined ? send(shared) : this.deps.pool.forSession(server, session).then(send);
    pending
      .then(
        (result) => {
          const toolError = (result as { isError?: boolean } | undefined)?.isError === true;
          const outcome: Outcome = toolError ? "tool_error" : "ok";
          options.done?.(outcome, result);
          this.deps.metrics.rpcRequest(method, outcome);
          reply({ jsonrpc: "2.0", id, result: options.rewrite === undefined ? result : options.rewrite(result) });
        },
        (error: unknown) => {
          options.done?.(outcomeOf(error), undefined);
          this.fail(reply, id, method, error);
        },
      )
      .catch((error: unknown) => this.deps.logger.error({ sessionId: session.id, method, err: (error as Error).message }, "answering a call failed"));
  }

  private callTool(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const params = request.params ?? {};
    const name = params.name;
    if (typeof name !== "string") {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, 'tools/call needs "name", the tool to call'));
      return;
    }
    const target = this.deps.registry.tool(name);
    if (target === undefined) {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, `Unknown tool: "${name}". Call tools/list for the tools this gateway exposes.`));
      this.deps.metrics.toolCall("unknown", "unknown", "error", 0);
      return;
    }
    const started = performance.now();
    const options: ForwardOptions = {
      label: `tools/call "${target.name}"`,
      done: (outcome) => this.deps.metrics.toolCall(target.server, target.name, outcome, (performance.now() - started) / 1000),
    };
    if (params.task !== undefined) options.rewrite = (result) => this.taskCreated(session, target.server, result);
    this.forward(session, target.server, request, { ...params, name: target.name }, call, reply, options);
  }

  /** A task-augmented call's answer: the backend's task id becomes the session's handle, and the session its owner. */
  private taskCreated(session: Session, server: string, result: unknown): unknown {
    const upstreamId = createdTaskId(result);
    if (upstreamId === undefined) return result; // the backend ran it as a plain call
    const ref = { server, upstreamId };
    if (session.id !== undefined) this.deps.tasks.owners.add(ref, session);
    return resultForClient(result, this.deps.tasks.handles.handle(session.id, ref));
  }

  /** tasks/get, tasks/result, tasks/cancel: to the server that owns the task, with its own id, answered with the handle. */
  private taskRequest(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const handle = request.params?.taskId;
    const ref = this.deps.tasks.handles.open(session.id, handle);
    if (ref === undefined || !this.deps.pool.shared.has(ref.server)) {
      this.fail(
        reply, request.id, request.method,
        new RpcError(ErrorCode.InvalidParams, `Unknown task: ${JSON.stringify(handle ?? null)}. Task ids come from a task-augmented tools/call through this gateway, in the same session.`),
      );
      return;
    }
    const options: ForwardOptions = { label: `${request.method} of task "${ref.upstreamId}"`, rewrite: (result) => resultForClient(result, handle as string) };
    if (request.method === "tasks/result") {
      options.timeoutMs = TASK_RESULT_TIMEOUT_MS;
      call.waitsForTask = ref; // what the backend asks for this task while the client waits goes on this call's stream
    }
    this.forward(session, ref.server, request, { ...request.params, taskId: ref.upstreamId }, call, reply, options);
  }

  private forwardByUri(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const uri = request.params?.uri;
    const server = typeof uri === "string" ? this.deps.registry.resourceServer(uri) : undefined;
    if (server === undefined) {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.ResourceNotFound, `Unknown resource: "${String(uri)}". No server lists it or a template matching it.`, { uri }));
      return;
    }
    this.forward(session, server, request, request.params!, call, reply, { label: `${request.method} "${String(uri)}"` });
  }

  private getPrompt(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const name = request.params?.name;
    const target = typeof name === "string" ? this.deps.registry.prompt(name) : undefined;
    if (target === undefined) {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, `Unknown prompt: "${String(name)}". Call prompts/list for the prompts this gateway exposes.`));
      return;
    }
    this.forward(session, target.server, request, { ...request.params, name: target.name }, call, reply, { label: `prompts/get "${target.name}"` });
  }

  private complete(session: Session, request: JsonRpcRequest, call: ClientCall, reply: Reply): void {
    const ref = request.params?.ref as { type?: string; name?: string; uri?: string } | undefined;
    if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
      const target = this.deps.registry.prompt(ref.name);
      if (target === undefined) {
        this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, `Unknown prompt: "${ref.name}"`));
        return;
      }
      this.forward(session, target.server, request, { ...request.params, ref: { ...ref, name: target.name } }, call, reply, { label: `completion/complete for prompt "${target.name}"` });
      return;
    }
    if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
      const server = this.deps.registry.resourceServer(ref.uri);
      if (server === undefined) {
        this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, `Unknown resource: "${ref.uri}"`));
        return;
      }
      this.forward(session, server, request, request.params!, call, reply, { label: `completion/complete for "${ref.uri}"` });
      return;
    }
    this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, 'completion/complete needs "ref" of type ref/prompt (with name) or ref/resource (with uri)'));
  }

  private subscription(session: Session, request: JsonRpcRequest, reply: Reply): void {
    const uri = request.params?.uri;
    const server = typeof uri === "string" ? this.deps.registry.resourceServer(uri) : undefined;
    if (server === undefined || typeof uri !== "string") {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.ResourceNotFound, `Unknown resource: "${String(uri)}"`, { uri }));
      return;
    }
    const shared = this.deps.pool.sharedFor(server, session);
    if (shared === undefined) {
      // A per-session connection: the session subscribes on its own connection, whose updates go to it alone.
      const call: ClientCall = { session, clientId: request.id, forward: () => undefined };
      this.forward(session, server, request, { uri }, call, reply, { label: `${request.method} "${uri}"` });
      return;
    }
    const backend = shared;
    const subscribe = request.method === "resources/subscribe";
    const first = subscribe ? this.deps.subscriptions.add(uri, session) : this.deps.subscriptions.remove(uri, session);
    if (!first) {
      this.ok(reply, request.id, request.method, {});
      return;
    }
    backend.request(request.method, { uri }, { label: `${request.method} "${uri}"` }).then(
      () => this.ok(reply, request.id, request.method, {}),
      (error: unknown) => {
        if (subscribe) this.deps.subscriptions.remove(uri, session);
        this.fail(reply, request.id, request.method, error);
      },
    );
  }

  /** Records the session's level and sends backends the most verbose level any session asked for. */
  private setLevel(session: Session, request: JsonRpcRequest, reply: Reply): void {
    const level = request.params?.level;
    if (typeof level !== "string" || !LOG_LEVELS.includes(level)) {
      this.fail(reply, request.id, request.method, new RpcError(ErrorCode.InvalidParams, `Invalid log level "${String(level)}"; use one of ${LOG_LEVELS.join(", ")}`));
      return;
    }
    session.logLevel = level;
    let min = LOG_LEVELS.length - 1;
    for (const s of this.deps.sessions()) if (s.logLevel !== undefined) min = Math.min(min, LOG_LEVELS.indexOf(s.logLevel));
    min = Math.min(min, LOG_LEVELS.indexOf(level));
    const backends: GatewayBackend[] = [...this.deps.pool.shared.values(), ...(session.isolated.values() as IterableIterator<GatewayBackend>)];
    const sends = backends
      .filter((b) => b.state === "up" && b.capabilities.logging !== undefined)
      .map((b) => b.request("logging/setLevel", { level: LOG_LEVELS[min] }, { label: "logging/setLevel" }).catch(() => undefined));
    void Promise.all(sends).then(() => this.ok(reply, request.id, request.method, {}));
  }

  /** A client notification: cancellation is routed to the call's backend; others are not forwarded. */
  notification(session: Session, message: JsonRpcNotification): void {
    if (message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId as string | number | undefined;
      const call = requestId === undefined ? undefined : session.calls.get(requestId);
      call?.cancel?.(message.params?.reason as string | undefined);
      return;
    }
    if (message.method === "notifications/roots/list_changed") {
      // Only this session's own connections: a shared backend must not adopt one client's roots for everyone.
      for (const backend of session.isolated.values() as IterableIterator<GatewayBackend>) {
        if (backend.state === "up") backend.notify("notifications/roots/list_changed");
      }
    }
  }
}
