/**
 * Tasks across eras (translate/tasks.ts):
 * - a 2026-07-28 caller with the tasks extension against a 2025-11-25 task backend (server-everything's
 *   `simulate-research-query`, taskSupport required): -32021 without the extension; a task result with a handle
 *   bound to the caller; tasks/get until it completes with its result; its input_required elicitation as
 *   inputRequests answered with tasks/update; tasks/cancel;
 * - a 2025 caller (SDK v1's task API) against a 2026-07-28 task backend (our raw fixture): the tool may run as a
 *   task, tasks/result emulated by polling tasks/get, the backend's inputRequests asked of the caller on that
 *   stream and answered with tasks/update.
 */
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema, type Task } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, REPO, connect, gateway, textOf, waitFor } from "./helpers.js";
import { envelope, modernPost } from "./modern-wire.js";

const TASKS = "io.modelcontextprotocol/tasks";
const RESEARCH = "everything__simulate-research-query";

let gw: RunningGateway;

beforeAll(async () => {
  gw = await gateway({
    // Callers told apart by X-Forwarded-For (the gateway trusts its own loopback as a proxy here).
    http: { trustedProxies: ["127.0.0.1"] },
    servers: [
      { name: "everything", transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] },
      { name: "jobs", transport: "stdio", command: process.execPath, args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-tasks-server.ts")], cwd: REPO },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
});

const as = (who: string) => ({ "x-forwarded-for": who });
const withTasks = envelope({ elicitation: {}, extensions: { [TASKS]: {} } });

async function pollUntil(who: string, taskId: string, done: (task: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const got = await modernPost(gw.url, "tasks/get", { taskId }, { meta: withTasks, headers: as(who) });
      const task = got.body?.result;
      return task !== undefined && done(task) ? task : undefined;
    },
    `task ${taskId}`,
    200,
    100,
  );
}

describe("a 2026-07-28 caller with the tasks extension, a 2025-11-25 task backend", () => {
  it("is refused a task-only tool without the extension (400 -32021 naming it)", async () => {
    const answer = await modernPost(gw.url, "tools/call", { name: RESEARCH, arguments: { topic: "x" } }, { id: 5 });
    expect([answer.status, answer.body?.error]).toEqual([
      400,
      {
        code: -32021,
        message: `Missing required client capability: the ${TASKS} extension (tool "${RESEARCH}" runs only as a task); declare it in io.modelcontextprotocol/clientCapabilities.extensions`,
        data: { requiredCapabilities: { extensions: { [TASKS]: {} } } },
      },
    ]);
  });

  it("gets a task whose handle only its caller can use, polls it to its result, or cancels one", async () => {
    const created = await modernPost(gw.url, "tools/call", { name: RESEARCH, arguments: { topic: "gateways" } }, { meta: withTasks, headers: as("10.0.0.1") });
    const task = created.body!.result!;
    expect(task).toMatchObject({ resultType: "task", status: "working" });
    expect(task.taskId).toMatch(/^task\./);
    expect(typeof task.ttlMs === "number" || task.ttlMs === null).toBe(true);

    const stranger = await modernPost(gw.url, "tasks/get", { taskId: task.taskId }, { meta: withTasks, headers: as("10.0.0.2") });
    expect(stranger.body?.error?.code).toBe(-32602);
    expect(stranger.body?.error?.message).toMatch(/^Unknown task: /);

    const done = await pollUntil("10.0.0.1", String(task.taskId), (t) => t.status === "completed");
    expect(done).toMatchObject({ resultType: "complete", taskId: task.taskId, status: "completed" });
    expect(textOf(done.result)).toContain("gateways");

    const other = (await modernPost(gw.url, "tools/call", { name: RESEARCH, arguments: { topic: "cancelled" } }, { meta: withTasks, headers: as("10.0.0.1") })).body!.result!;
    const cancelled = await modernPost(gw.url, "tasks/cancel", { taskId: other.taskId }, { meta: withTasks, headers: as("10.0.0.1") });
    expect(cancelled.body?.result).toMatchObject({ taskId: other.taskId, status: "cancelled" });
  });

  it("sees the backend's input_required elicitation as inputRequests, and answers it with tasks/update", async () => {
    const task = (await modernPost(gw.url, "tools/call", { name: RESEARCH, arguments: { topic: "python", ambiguous: true } }, { meta: withTasks, headers: as("10.0.0.3") })).body!.result!;
    const waiting = await pollUntil("10.0.0.3", String(task.taskId), (t) => t.status === "input_required");
    const [key, request] = Object.entries(waiting.inputRequests as Record<string, { method: string; params: { message: string } }>)[0]!;
    expect(request.method).toBe("elicitation/create");
    expect(request.params.message).toContain("python");
    const ack = await modernPost(gw.url, "tasks/update", { taskId: task.taskId, inputResponses: { [key]: { action: "accept", content: { interpretation: "technical" } } } }, { meta: withTasks, headers: as("10.0.0.3") });
    expect(ack.body?.result).toMatchObject({ resultType: "complete" });
    const done = await pollUntil("10.0.0.3", String(task.taskId), (t) => t.status === "completed");
    expect(textOf(done.result)).toContain("python");
  });
});

describe("a 2025 caller, a 2026-07-28 task backend", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(gw.url, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { ok: true } }));
  });
  afterAll(async () => {
    await client?.close();
  });

  async function runAsTask(args: Record<string, unknown>): Promise<{ created: Task; result: unknown }> {
    let created: Task | undefined;
    for await (const message of client.experimental.tasks.callToolStream({ name: "jobs__long_job", arguments: args }, undefined, { task: { ttl: 60_000 } })) {
      if (message.type === "taskCreated") created = message.task;
      if (message.type === "result") return { created: created!, result: message.result };
      if (message.type === "error") throw message.error;
    }
    throw new Error("the stream ended without a result");
  }

  it("sees the tool as one that may run as a task, and the gateway offering tasks", async () => {
    const tool = (await client.listTools()).tools.find((t) => t.name === "jobs__long_job");
    expect(tool?.execution).toEqual({ taskSupport: "optional" });
    expect(client.getServerCapabilities()?.tasks).toMatchObject({ requests: { tools: { call: {} } }, cancel: {} });
  });

  it("runs a task-augmented call to its result (tasks/result emulated by polling tasks/get)", async () => {
    const { created, result } = await runAsTask({ ms: 200 });
    expect(created.taskId).toMatch(/^task\./);
    expect(created).toMatchObject({ status: "working", ttl: 60_000, pollInterval: 100 });
    expect(textOf(result)).toBe("job done after 200 ms");
  });

  it("is asked for what the task's inputRequests need on its tasks/result stream, and the task completes with the answer", async () => {
    const { result } = await runAsTask({ ask: true });
    expect(textOf(result)).toBe("confirmed: accept");
  });

  it("gets a plain result for a call that asks no task", async () => {
    expect(textOf(await client.callTool({ name: "jobs__long_job", arguments: {} }))).toBe("ran without a task");
  });
});
