/**
 * MCP tasks (2025-11-25) through the gateway, against server-everything's task tool `simulate-research-query`
 * (a stdio backend shared by every client) and the SDK client's experimental task API: the capability, task ids
 * as per-session handles, polling, the input_required elicitation routed to the task's owner while another client
 * has a call in flight on the same connection, status notifications for the owner only, cancellation, and the
 * errors for foreign, forged and listed tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema, McpError, TaskStatusNotificationSchema, type Task } from "@modelcontextprotocol/sdk/types.js";
import type { RunningGateway } from "../src/gateway.js";
import { TaskHandles, TaskOwners, resultForClient } from "../src/session/tasks.js";
import { SessionSealer } from "../src/session/token.js";
import { Session } from "../src/session/session.js";
import { EVERYTHING, connect, gateway, textOf } from "./helpers.js";

const RESEARCH = "everything__simulate-research-query";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await gateway({ servers: [{ name: "everything", transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] }] });
});
afterAll(async () => {
  await gw?.close();
});

async function start(client: Client, args: Record<string, unknown>): Promise<Task> {
  await client.listTools();
  for await (const message of client.experimental.tasks.callToolStream({ name: RESEARCH, arguments: args }, undefined, { task: { ttl: 60_000 } })) {
    if (message.type === "taskCreated") return message.task;
    throw new Error(`expected taskCreated first, got ${message.type}`);
  }
  throw new Error("the stream ended without a task");
}

async function rpcError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof McpError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a JSON-RPC error");
}

describe("task handles (pure)", () => {
  const handles = new TaskHandles((purpose, text) => new SessionSealer("k").sign(purpose, text));
  const ref = { server: "everything", upstreamId: "f6af4a32-abc" };

  it("are stable for a session, open only in that session, and refuse any change", () => {
    const handle = handles.handle("session-a", ref);
    expect(handle).toBe(handles.handle("session-a", ref));
    expect(handle).toMatch(/^task\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(handles.open("session-a", handle)).toEqual(ref);
    expect(handles.open("session-b", handle)).toBeUndefined();
    const [, server, id, mac] = handle.split(".");
    const otherServer = `task.${Buffer.from("memory").toString("base64url")}.${id}.${mac}`;
    expect(handles.open("session-a", otherServer)).toBeUndefined();
    expect(handles.open("session-a", `task.${server}.${Buffer.from("other").toString("base64url")}.${mac}`)).toBeUndefined();
    expect(handles.open("session-a", "f6af4a32-abc")).toBeUndefined();
    expect(new TaskHandles((p, t) => new SessionSealer("other-key").sign(p, t)).open("session-a", handle)).toBeUndefined();
  });

  it("name the endpoint that created the task, bound by the MAC like the rest", () => {
    const pinned = { ...ref, endpoint: "Zm9v:1" };
    const handle = handles.handle("session-a", pinned);
    expect(handle).toMatch(/^task\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(handles.open("session-a", handle)).toEqual(pinned);
    const [, server, , id, mac] = handle.split(".");
    expect(handles.open("session-a", `task.${server}.${Buffer.from("Zm9v:2").toString("base64url")}.${id}.${mac}`)).toBeUndefined();
    expect(handles.open("session-a", `task.${server}.${id}.${mac}`)).toBeUndefined();
  });

  it("replace the backend's id in every place a task result carries it", () => {
    expect(resultForClient({ task: { taskId: "up", status: "working" } }, "h")).toEqual({ task: { taskId: "h", status: "working" } });
    expect(resultForClient({ taskId: "up", status: "cancelled" }, "h")).toEqual({ taskId: "h", status: "cancelled" });
    expect(resultForClient({ content: [], _meta: { "io.modelcontextprotocol/related-task": { taskId: "up" }, other: 1 } }, "h")).toEqual({
      content: [],
      _meta: { "io.modelcontextprotocol/related-task": { taskId: "h" }, other: 1 },
    });
  });

  it("owners are forgotten with their session", () => {
    const owners = new TaskOwners();
    const session = new Session("s", { protocolVersion: "2025-11-25", capabilities: { sampling: false, elicitation: false, roots: false }, createdAt: 0 });
    owners.add(ref, session);
    expect(owners.owner(ref.server, ref.upstreamId)).toBe(session);
    owners.dropSession(session);
    expect([owners.owner(ref.server, ref.upstreamId), owners.size]).toEqual([undefined, 0]);
  });
});

describe("tasks through the gateway", () => {
  it("advertises task-augmented tools/call and cancel, and lists the tool that requires tasks", async () => {
    const client = await connect(gw.url);
    expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const tool = (await client.listTools()).tools.find((t) => t.name === RESEARCH);
    expect(tool?.execution).toEqual({ taskSupport: "required" });
    await client.close();
  });

  it("runs a task to its result; the elicitation it needs reaches its owner while another client calls the same backend", async () => {
    const owner = await connect(gw.url, { capabilities: { elicitation: {} } });
    const other = await connect(gw.url, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    owner.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(String((request.params._meta as Record<string, { taskId?: string }> | undefined)?.["io.modelcontextprotocol/related-task"]?.taskId));
      return { action: "accept", content: { interpretation: "programming" } };
    });
    other.setRequestHandler(ElicitRequestSchema, async () => {
      throw new Error("the other client must not be asked");
    });
    const ownerStatus: string[] = [];
    const otherStatus: string[] = [];
    owner.setNotificationHandler(TaskStatusNotificationSchema, (n) => void ownerStatus.push(`${n.params.taskId} ${n.params.status}`));
    other.setNotificationHandler(TaskStatusNotificationSchema, (n) => void otherStatus.push(n.params.taskId));

    // The other client keeps a call in flight on the shared stdio connection the whole time.
    const busy = other.callTool({ name: "everything__trigger-long-running-operation", arguments: { duration: 8, steps: 4 } }, undefined, { timeout: 30_000 });
    await owner.listTools();
    const seen: string[] = [];
    let taskId = "";
    let report = "";
    for await (const message of owner.experimental.tasks.callToolStream({ name: RESEARCH, arguments: { topic: "python", ambiguous: true } }, undefined, { task: { ttl: 60_000 } })) {
      if (message.type === "taskCreated") taskId = message.task.taskId;
      if (message.type === "taskStatus") seen.push(message.task.status);
      if (message.type === "result") report = textOf(message.result);
      if (message.type === "error") throw message.error;
    }
    expect(taskId).toMatch(/^task\./);
    expect(seen).toContain("input_required");
    expect(asked).toEqual([taskId]);
    expect(report).toMatch(/^# Research Report: python \(programming\)/);
    expect(textOf(await busy)).toMatch(/Long running operation completed/);
    // Status notifications went to the owner only, under its handle.
    expect(ownerStatus).toContain(`${taskId} completed`);
    expect(ownerStatus.every((line) => line.startsWith(`${taskId} `))).toBe(true);
    expect(otherStatus).toEqual([]);
    await Promise.all([owner.close(), other.close()]);
  });

  it("serves a task's status to its own session only, and refuses forged handles and tasks/list", async () => {
    const owner = await connect(gw.url);
    const stranger = await connect(gw.url);
    const task = await start(owner, { topic: "rust" });
    const status = await owner.experimental.tasks.getTask(task.taskId);
    expect([status.taskId, status.status]).toEqual([task.taskId, "working"]);
    const foreign = await rpcError(stranger.experimental.tasks.getTask(task.taskId));
    expect(foreign).toEqual({ code: -32602, message: `MCP error -32602: Unknown task: ${JSON.stringify(task.taskId)}. Task ids come from a task-augmented tools/call through this gateway, in the same session.` });
    const forged = `${task.taskId.slice(0, -3)}AAA`;
    expect((await rpcError(owner.experimental.tasks.getTask(forged))).code).toBe(-32602);
    const listed = await rpcError(owner.experimental.tasks.listTasks());
    expect(listed.code).toBe(-32601);
    expect(listed.message).toMatch(/tasks\/list is not offered by the gateway/);
    await owner.experimental.tasks.cancelTask(task.taskId);
    await Promise.all([owner.close(), stranger.close()]);
  });

  it("cancels a task: the answer and later polls say cancelled, under the handle", async () => {
    const client = await connect(gw.url);
    const task = await start(client, { topic: "go" });
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect([cancelled.taskId, cancelled.status]).toEqual([task.taskId, "cancelled"]);
    const later = await client.experimental.tasks.getTask(task.taskId);
    expect([later.taskId, later.status]).toEqual([task.taskId, "cancelled"]);
    await client.close();
  });
});
