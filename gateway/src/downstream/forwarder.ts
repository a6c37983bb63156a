/**
 * Backend -> client: notifications and requests that backends send, delivered to the right client session.
 *
 * Attribution of a backend->client request (sampling, elicitation, roots):
 * - a per-session connection (`isolation: session`) belongs to one session: exact;
 * - a shared Streamable HTTP connection: the request came on the answer stream of one call's POST: exact;
 * - a shared stdio or SSE connection: the request goes to the caller whose call is the only one in flight on that
 *   connection; otherwise the backend gets an error saying it cannot be attributed (see gateway/README.md).
 */
import { randomUUID } from "node:crypto";
import { ErrorCode, RpcError, type JsonRpcErrorObject, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from "../jsonrpc.js";
import type { Logger } from "../observability/logger.js";
import type { Registry } from "../catalog/registry.js";
import { LISTS, listsChangedBy, type ListKind } from "../protocol/lists.js";
import type { ClientCall } from "../context.js";
import { LOG_LEVELS } from "../protocol/versions.js";
import type { Session } from "../session/session.js";
import type { Subscriptions } from "../session/subscriptions.js";
import { messageForClient, relatedTaskId, type TaskHandles, type TaskOwners } from "../session/tasks.js";
import type { GatewayBackend } from "../upstream/pool.js";


/** Which client capability a backend->client request needs. */
const NEEDS: Record<string, "sampling" | "elicitation" | "roots"> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

/** A request to a client (a backend's, or the gateway's own) waiting for the client's answer. */
interface Outstanding {
  /** The backend that asked, and its id of the request (absent when the gateway itself asks). */
  backend?: GatewayBackend;
  backendId?: string | number;
  session: Session;
  timer: NodeJS.Timeout;
  /** Takes the client's answer (or the error that replaces it). */
  respond(outcome: { result: unknown } | { error: JsonRpcErrorObject }): void;
}

/** A request the gateway itself sent to a client: its answer, and how to withdraw it. */
export interface Asked {
  readonly answer: Promise<unknown>;
  withdraw(reason: string): void;
}

const OUTSTANDING_TTL_MS = 15 * 60_000;


export interface ForwarderDeps {
  registry: Registry;
  subscriptions: Subscriptions;
  sessions: () => Iterable<Session>;
  logger: Logger;
  tasks: { handles: TaskHandles; owners: TaskOwners };
}

export class Forwarder {
  private readonly outstanding = new Map<string, Outstanding>();

  constructor(private readonly deps: ForwarderDeps) {}

  /** Tells every session that aggregated lists changed. */
  listsChanged(kinds: Set<ListKind>): void {
    const methods = new Set([...kinds].map((k) => LISTS[k].changed));
    for (const session of this.deps.sessions()) for (const method of methods) session.sendStandalone({ jsonrpc: "2.0", method });
  }

  /**
   * A backend message about one of its tasks (`notifications/tasks/status`, or related-task `_meta`): the session
   * that owns the task, and the message with the task's id replaced by that session's handle.
   */
  private aboutTask<M extends JsonRpcNotification | JsonRpcRequest>(backend: GatewayBackend, message: M, owner: Session | undefined): { session: Session; message: M; upstreamId: string } | undefined {
    const taskId = message.method === "notifications/tasks/status" ? message.params?.taskId : relatedTaskId(message.params);
    if (typeof taskId !== "string") return undefined;
    const session = owner ?? this.deps.tasks.owners.owner(backend.name, taskId);
    if (session === undefined) return undefined;
    // The owner's handle names the task's endpoint too (this replica recorded it when the task was created).
    const ref = this.deps.tasks.owners.ref(backend.name, taskId) ?? { server: backend.name, upstreamId: taskId };
    const handle = this.deps.tasks.handles.handle(session.id, ref, session.seed.owner);
    return { session, message: messageForClient(message, handle), upstreamId: taskId };
  }

  onNotification(backend: GatewayBackend, message: JsonRpcNotification, owner: Session | undefined, origin?: ClientCall): void {
    const kinds = listsChangedBy(message.method);
    if (kinds === undefined) {
      const task = this.aboutTask(backend, message, owner);
      if (task !== undefined) {
        // Only the task's owner hears about it (on a shared connection the backend cannot tell clients apart).
        if (message.method === "notifications/tasks/status") {
          task.session.sendStandalone(task.message);
          return;
        }
        owner = task.session;
        message = task.message;
      } else if (message.method === "notifications/tasks/status") {
        this.deps.logger.debug({ server: backend.name }, "status of a task this replica does not know; dropped");
        return;
      }
    }
    if (kinds !== undefined) {
      // The registry reads lists from the shared connection; the refresh announces real changes to every session.
      if (owner === undefined) void this.deps.registry.refresh(backend, kinds);
      else owner.sendStandalone(message);
      return;
    }
    switch (message.method) {
      case "notifications/resources/updated": {
        const uri = message.params?.uri;
        if (owner !== undefined) owner.sendStandalone(message);
        else if (typeof uri === "string") for (const session of this.deps.subscriptions.subscribers(uri)) session.sendStandalone(message);
        return;
      }
      case "notifications/message": {
        // A 2026-07-28 backend logs for one request (the one that set a logLevel): that request's stream only. So
        // does a 2025 backend when the request it logs for is a 2026-07-28 caller's.
        const call = origin ?? this.soleCall(backend);
        if (backend.modern) {
          call?.forward(message);
          return;
        }
        if (call?.ctx.era === "stateless") {
          call.forward(message);
          if (origin !== undefined) return;
        }
        const level = (LOG_LEVELS as readonly string[]).indexOf(String(message.params?.level));
        const targets = owner !== undefined ? [owner] : this.deps.sessions();
        for (const session of targets) {
          if (session.logLevel === undefined || level >= (LOG_LEVELS as readonly string[]).indexOf(session.logLevel)) session.sendStandalone(message);
        }
        return;
      }
      case "notifications/cancelled": {
        // The backend gave up a request it sent to a client.
        const backendId = message.params?.requestId;
        for (const [clientId, o] of this.outstanding) {
          if (o.backend === backend && o.backend !== undefined && o.backendId === backendId) {
            this.drop(clientId);
            o.session.sendStandalone({ jsonrpc: "2.0", method: message.method, params: { ...message.params, requestId: clientId } });
          }
        }
        return;
      }
      default: {
        const call = owner === undefined ? this.soleCall(backend) : undefined;
        if (owner !== undefined) owner.sendStandalone(message);
        else if (call !== undefined) call.forward(message);
        else this.deps.logger.debug({ server: backend.name, method: message.method }, "notification not attributable to a session; dropped");
      }
    }
  }

  /** The calls in flight on a connection that a new message of the backend can be about (not parked ones). */
  private attributable(backend: GatewayBackend): ClientCall[] {
    return backend.inFlight().filter((c) => c.waitingForInput !== true);
  }

  private soleCall(backend: GatewayBackend): ClientCall | undefined {
    const calls = this.attributable(backend);
    return calls.length === 1 ? calls[0] : undefined;
  }

  /** A backend asks something of a client: find the client, forward with a gateway-unique id. */
  onRequest(backend: GatewayBackend, message: JsonRpcRequest, owner: Session | undefined, origin?: ClientCall): void {
    const calls = this.attributable(backend);
    let call: ClientCall | undefined;
    const task = this.aboutTask(backend, message, owner);
    if (task !== undefined) {
      // About a task (e.g. an elicitation while it is input_required): exact, by the task's owner; on the stream of
      // the owner's tasks/result for it when one is waiting, else on the owner's standalone stream.
      owner = task.session;
      message = task.message;
      call = calls.find((c) => c.session === task.session && c.waitsForTask?.server === backend.name && c.waitsForTask.upstreamId === task.upstreamId);
    } else if (origin !== undefined) {
      call = origin; // came on the answer stream of this call's POST: exact
    } else if (owner !== undefined) {
      const own = calls.filter((c) => c.session === owner);
      call = own.length === 1 ? own[0] : undefined;
    } else if (calls.length === 1) {
      call = calls[0];
    }
    const session = owner ?? call?.session;
    if (session === undefined) {
      const why = calls.length === 0 ? "no client call is in flight on it" : `${calls.length} client calls are in flight on it`;
      backend.respond(message.id, {
        error: {
          code: ErrorCode.InternalError,
          message: `mcp-fleet-gateway cannot tell which client ${message.method} from shared server "${backend.name}" is for: ${why}. Set isolation: session for this server to route such requests exactly.`,
        },
      });
      return;
    }
    const needs = NEEDS[message.method];
    if (needs !== undefined && !session.seed.capabilities[needs]) {
      backend.respond(message.id, { error: { code: ErrorCode.MethodNotFound, message: `The client does not support ${message.method} (no "${needs}" capability)` } });
      return;
    }
    // Unguessable, so that only the session it was sent to can answer it (see onClientResponse).
    const clientId = `gw-${randomUUID()}`;
    const timer = setTimeout(() => this.drop(clientId), OUTSTANDING_TTL_MS);
    timer.unref();
    this.outstanding.set(clientId, { backend, backendId: message.id, session, timer, respond: (outcome) => backend.respond(message.id, outcome) });
    const forwarded: JsonRpcRequest = { jsonrpc: "2.0", id: clientId, method: message.method };
    if (message.params !== undefined) forwarded.params = message.params;
    if (call !== undefined) call.forward(forwarded);
    else session.sendStandalone(forwarded);
  }

  /**
   * A client answered a request the gateway forwarded. Only the session the request was sent to may answer it:
   * an answer from any other session (a guess, a replay) is ignored and logged, and the request keeps waiting for
   * its own client. False when the answer was not taken.
   */
  onClientResponse(session: Session, response: JsonRpcResponse): boolean {
    const key = String(response.id);
    const o = this.outstanding.get(key);
    // Sessions by id: the same session on this replica. (Stateless mode has no ids: each POST is its own session
    // object, and the answer to a request comes in another POST, matched by the request's unguessable id alone.)
    if (o === undefined || o.session.id !== session.id) {
      this.deps.logger.warn({ sessionId: session.id, id: key.slice(0, 80) }, "a client answered a request that was not sent to its session; ignored");
      return false;
    }
    this.drop(key);
    if (response.error !== undefined) o.respond({ error: response.error });
    else o.respond({ result: response.result ?? {} });
    return true;
  }

  /**
   * The gateway itself asks the client of `call` (on that call's stream), e.g. for the input a 2026-07-28 backend
   * needs: the client's answer, under the same rules as a backend's request (only that session may answer).
   */
  askClient(call: ClientCall, method: string, params: Record<string, unknown> | undefined): Asked {
    const clientId = `gw-${randomUUID()}`;
    const session = call.session;
    let respond: Outstanding["respond"] = () => undefined;
    const answer = new Promise<unknown>((resolve, reject) => {
      respond = (outcome) => ("result" in outcome ? resolve(outcome.result) : reject(new RpcError(outcome.error.code, outcome.error.message, outcome.error.data)));
    });
    answer.catch(() => undefined); // a withdrawn question may never be awaited
    const timer = setTimeout(() => {
      this.drop(clientId);
      respond({ error: { code: ErrorCode.RequestTimeout, message: `The client did not answer ${method} within ${OUTSTANDING_TTL_MS / 60_000} minutes` } });
    }, OUTSTANDING_TTL_MS);
    timer.unref();
    this.outstanding.set(clientId, { session, timer, respond });
    const request: JsonRpcRequest = { jsonrpc: "2.0", id: clientId, method };
    if (params !== undefined) request.params = params;
    call.forward(request);
    return {
      answer,
      withdraw: (reason) => {
        if (!this.outstanding.has(clientId)) return;
        this.drop(clientId);
        call.forward({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: clientId, reason } });
        respond({ error: { code: ErrorCode.InternalError, message: `${method} was withdrawn: ${reason}` } });
      },
    };
  }

  /** A session closed: the backends waiting on it get an error. */
  sessionClosed(session: Session): void {
    for (const [clientId, o] of this.outstanding) {
      if (o.session !== session) continue;
      this.drop(clientId);
      o.respond({ error: { code: ErrorCode.InternalError, message: "The client session closed before answering" } });
    }
  }

  private drop(clientId: string): void {
    const o = this.outstanding.get(clientId);
    if (o === undefined) return;
    clearTimeout(o.timer);
    this.outstanding.delete(clientId);
  }
}
