/**
 * MCP tasks (protocol 2025-11-25, experimental) through the gateway: the task ids clients see, and which session
 * owns each task.
 *
 * A backend's task id is only unique within that backend, and a shared backend connection serves every client,
 * so the gateway never shows it as is. Clients get a handle instead:
 * `task.<base64url(server)>.<base64url(endpoint)>.<base64url(backend task id)>.<MAC>`, where the MAC (the session
 * key of every replica) binds server, endpoint, backend task id and the client's session id. The endpoint is the
 * one of the server's endpoints that created the task (upstream/endpoints.ts `taskAnchor`): every task method goes
 * there, never to another endpoint, which has never heard of the task (tasks are sticky). Any replica can route a
 * handle to its server and endpoint without state, and a handle is useless in any other session (`tasks/get` there:
 * unknown task), which a shared connection could not enforce by itself. Handles are deterministic, so a status
 * notification is rewritten from the owner's record of the task, without storing the handle.
 *
 * Ownership (for `notifications/tasks/status` and for the requests a backend sends about a task, e.g. an
 * elicitation while the task is `input_required`) is soft state of the replica that created the task: the
 * backend sends those on that replica's connection.
 */
import { timingSafeEqual } from "node:crypto";
import type { JsonRpcMessage } from "../jsonrpc.js";
import type { Session } from "./session.js";

/** `_meta` key that ties a message to a task. */
export const RELATED_TASK = "io.modelcontextprotocol/related-task";

export interface TaskRef {
  server: string;
  /** The endpoint of the server that runs the task (its anchor); absent in handles of the three-part form. */
  endpoint?: string;
  /** The backend's own task id. */
  upstreamId: string;
}

type Sign = (purpose: string, text: string) => Buffer;

const PREFIX = "task.";

export class TaskHandles {
  constructor(private readonly sign: Sign) {}

  private mac(sessionId: string | undefined, ref: TaskRef, owner: string | undefined): Buffer {
    const endpoint = ref.endpoint === undefined ? "" : `\nendpoint:${ref.endpoint}`;
    return this.sign("task", `${sessionId ?? ""}\n${ref.server}\n${ref.upstreamId}${owner === undefined ? "" : `\n${owner}`}${endpoint}`);
  }

  /** The handle a session sees for a backend's task; `owner`: the identity of the session (`SessionSeed.owner`). */
  handle(sessionId: string | undefined, ref: TaskRef, owner?: string): string {
    const server = Buffer.from(ref.server).toString("base64url");
    const endpoint = ref.endpoint === undefined ? "" : `${Buffer.from(ref.endpoint).toString("base64url")}.`;
    const id = Buffer.from(ref.upstreamId).toString("base64url");
    return `${PREFIX}${server}.${endpoint}${id}.${this.mac(sessionId, ref, owner).toString("base64url")}`;
  }

  /** The task behind a handle, or `undefined` when it is malformed, forged, or another session's or identity's. */
  open(sessionId: string | undefined, handle: unknown, owner?: string): TaskRef | undefined {
    if (typeof handle !== "string" || !handle.startsWith(PREFIX) || handle.length > 1024) return undefined;
    const parts = handle.slice(PREFIX.length).split(".");
    if (parts.length !== 3 && parts.length !== 4) return undefined;
    const text = (part: string): string => Buffer.from(part, "base64url").toString("utf8");
    const ref: TaskRef = { server: text(parts[0]!), upstreamId: text(parts.at(-2)!) };
    if (parts.length === 4) ref.endpoint = text(parts[1]!);
    const given = Buffer.from(parts.at(-1)!, "base64url");
    const expected = this.mac(sessionId, ref, owner);
    return given.length === expected.length && timingSafeEqual(given, expected) ? ref : undefined;
  }
}

/** Tasks remembered at once (oldest forgotten first); a forgotten task still works, its notifications are dropped. */
const MAX_OWNED = 10_000;

/**
 * Which session created each task on this replica's shared connections, and the task as its handle names it (with
 * its endpoint). Keyed by server and backend task id: the ids of a server's endpoints are assumed not to collide
 * (the SDK's are 128 random bits).
 */
export class TaskOwners {
  private readonly owners = new Map<string, { session: Session; ref: TaskRef }>();
  private readonly bySession = new Map<Session, Set<string>>();

  private static key(server: string, upstreamId: string): string {
    return `${server}\n${upstreamId}`;
  }

  add(ref: TaskRef, session: Session): void {
    const key = TaskOwners.key(ref.server, ref.upstreamId);
    this.owners.set(key, { session, ref });
    let keys = this.bySession.get(session);
    if (keys === undefined) this.bySession.set(session, (keys = new Set()));
    keys.add(key);
    if (this.owners.size > MAX_OWNED) {
      const [oldest, owner] = this.owners.entries().next().value as [string, { session: Session }];
      this.owners.delete(oldest);
      this.bySession.get(owner.session)?.delete(oldest);
    }
  }

  owner(server: string, upstreamId: string): Session | undefined {
    return this.owners.get(TaskOwners.key(server, upstreamId))?.session;
  }

  /** The task as its owner's handle names it (with its endpoint), if this replica created it. */
  ref(server: string, upstreamId: string): TaskRef | undefined {
    return this.owners.get(TaskOwners.key(server, upstreamId))?.ref;
  }

  dropSession(session: Session): void {
    for (const key of this.bySession.get(session) ?? []) this.owners.delete(key);
    this.bySession.delete(session);
  }

  get size(): number {
    return this.owners.size;
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The task id in a `_meta` of related-task, if any. */
export function relatedTaskId(container: unknown): string | undefined {
  if (!isObject(container) || !isObject(container._meta)) return undefined;
  const related = container._meta[RELATED_TASK];
  return isObject(related) && typeof related.taskId === "string" ? related.taskId : undefined;
}

/** A copy of `container` whose related-task `_meta` names `taskId`. */
export function withRelatedTask<T>(container: T, taskId: string): T {
  if (!isObject(container) || !isObject(container._meta)) return container;
  const related = container._meta[RELATED_TASK];
  if (!isObject(related)) return container;
  return { ...container, _meta: { ...container._meta, [RELATED_TASK]: { ...related, taskId } } } as T;
}

/**
 * The backend task id of a `CreateTaskResult`, if `result` is one: `{ task: { taskId } }` (2025-11-25), or the task's
 * fields at the top with `resultType: "task"` (the 2026-07-28 tasks extension).
 */
export function createdTaskId(result: unknown): string | undefined {
  if (!isObject(result)) return undefined;
  if (isObject(result.task) && typeof result.task.taskId === "string") return result.task.taskId;
  return result.resultType === "task" && typeof result.taskId === "string" ? result.taskId : undefined;
}

/**
 * A backend's answer to `tools/call` (task-augmented), `tasks/get`, `tasks/cancel` or `tasks/result`, with its task
 * id replaced by the client's handle (`task.taskId`, `taskId`, and the related-task `_meta`).
 */
export function resultForClient(result: unknown, handle: string): unknown {
  if (!isObject(result)) return result;
  let out: Json = result;
  if (isObject(out.task) && typeof out.task.taskId === "string") out = { ...out, task: { ...out.task, taskId: handle } };
  if (typeof out.taskId === "string") out = { ...out, taskId: handle };
  if (relatedTaskId(out) !== undefined) out = withRelatedTask(out, handle);
  return out;
}

/** A backend message whose params carry a task id (`params.taskId` or related-task `_meta`), rewritten to `handle`. */
export function messageForClient<M extends JsonRpcMessage>(message: M, handle: string): M {
  const params = (message as { params?: unknown }).params;
  return isObject(params) ? { ...message, params: resultForClient(params, handle) } : message;
}
