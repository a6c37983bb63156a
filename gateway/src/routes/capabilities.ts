/** The capabilities the gateway offers clients: the union of what its backends offer, in each era's shape. */
import { TASKS_EXTENSION } from "../protocol/modern.js";
import type { ServerCapabilities } from "../upstream/backend.js";
import type { BackendPool } from "../upstream/pool.js";

export function offeredCapabilities(pool: BackendPool): Record<string, unknown> {
  const caps: Record<string, Record<string, unknown>> = {};
  for (const backend of pool.primaries()) {
    const c: ServerCapabilities = backend.capabilities;
    if (c.tools !== undefined) caps.tools = { listChanged: true };
    if (c.prompts !== undefined) caps.prompts = { listChanged: true };
    if (c.resources !== undefined) caps.resources = { listChanged: true, subscribe: (caps.resources?.subscribe as boolean | undefined) === true || c.resources.subscribe === true };
    if (c.logging !== undefined) caps.logging = {};
    if (c.completions !== undefined) caps.completions = {};
    const tasks = c.tasks as { cancel?: object; requests?: { tools?: { call?: object } } } | undefined;
    if (backend.modern && (c.extensions as Record<string, unknown> | undefined)?.[TASKS_EXTENSION] !== undefined) {
      // A 2026-07-28 task backend: 2025 callers get tasks/get, tasks/result (emulated) and tasks/cancel for it.
      caps.tasks = { ...caps.tasks, requests: { tools: { call: {} } }, cancel: {} };
    } else if (tasks?.requests?.tools?.call !== undefined) {
      // Task-augmented tools/call, get, result and cancel are routed; tasks/list is not offered (routes/tasks.ts).
      caps.tasks = { ...caps.tasks, requests: { tools: { call: {} } } };
      if (tasks.cancel !== undefined) caps.tasks.cancel = {};
    }
  }
  caps.tools ??= { listChanged: true };
  return caps;
}

/**
 * The same union for 2026-07-28 callers (`server/discover`): tasks are the `io.modelcontextprotocol/tasks` extension
 * there (offered when a backend offers tasks in either era).
 */
export function modernCapabilities(pool: BackendPool): Record<string, unknown> {
  const { tasks, ...caps } = offeredCapabilities(pool);
  const modernTasks = pool.primaries().some((b) => (b.capabilities.extensions as Record<string, unknown> | undefined)?.[TASKS_EXTENSION] !== undefined);
  if (tasks !== undefined || modernTasks) caps.extensions = { [TASKS_EXTENSION]: {} };
  return caps;
}
