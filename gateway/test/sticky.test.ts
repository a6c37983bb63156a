/**
 * A server with two stdio instances (gateway/test/fixtures/instances-server.mjs: each process names itself, its task
 * ids start with its pid) behind the real gateway, balanced round-robin so that consecutive calls alternate:
 * tasks are sticky (every poll and the result reach the instance that created the task, in both eras; when that
 * process is gone, killed or replaced by a reload, the poll is answered with an error naming the server, never by
 * the other instance), and resource subscriptions hold on every instance (an update reported by either reaches the
 * subscriber once, also from 2026-07-28 instances' listens; the same update from both, once; a restarted instance
 * or one added by a reload is subscribed; an unsubscription reaches both). Also two HTTP endpoints
 * (server-everything over Streamable HTTP): a task's endpoint killed gives -32002 naming the server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, McpError, ResourceUpdatedNotificationSchema, type Task } from "@modelcontextprotocol/sdk/types.js";
import type { BackendConfigInput } from "../src/config.js";
import { parseGatewayConfig } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { EVERYTHING, LOOPBACK_PRELOAD, REPO, connect, freePort, gateway, silentLogger, tempDir, textOf, waitFor } from "./helpers.js";
import { envelope, modernPost } from "./modern-wire.js";

const SERVER = join(REPO, "gateway/test/fixtures/instances-server.mjs");
const twoInstances = (extra: Partial<BackendConfigInput> = {}): BackendConfigInput =>
  ({ name: "s", transport: "stdio", command: process.execPath, args: [SERVER], instances: 2, balancing: "round-robin", restart: { initialDelayMs: 100, maxDelayMs: 200 }, ...extra }) as BackendConfigInput;

const open: { gateways: RunningGateway[]; clients: Client[] } = { gateways: [], clients: [] };
async function start(extra: Partial<BackendConfigInput> = {}): Promise<{ gw: RunningGateway; client: Client }> {
  const gw = await gateway({ servers: [twoInstances(extra)] });
  open.gateways.push(gw);
  await waitFor(() => (gw.status()[0]!.endpoints?.every((e) => e.state === "up") ? true : undefined), "both instances up");
  const client = await connect(gw.url);
  open.clients.push(client);
  await client.listTools();
  return { gw, client };
}
afterEach(async () => {
  await Promise.all(open.clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(open.gateways.splice(0).map((g) => g.close()));
});

const call = async (client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> => textOf(await client.callTool({ name: `s__${name}`, arguments: args }));
/** The pids of both instances, in the order round-robin reaches them from now on. */
const bothPids = async (client: Client): Promise<number[]> => [Number(await call(client, "who")), Number(await call(client, "who"))];

async function createTask(client: Client, ms: number): Promise<Task> {
  for await (const message of client.experimental.tasks.callToolStream({ name: "s__job", arguments: { ms } }, undefined, { task: { ttl: 60_000 } })) {
    if (message.type === "taskCreated") return message.task;
    throw new Error(`expected taskCreated first, got ${message.type}`);
  }
  throw new Error("the stream ended without a task");
}

/** The pid of the process that created a task: the backend's task id (in the handle, `task.<server>.<endpoint>.<id>.<mac>`) starts with it. */
const creatorOf = (handle: string): number => Number(Buffer.from(handle.split(".").at(-2)!, "base64url").toString("utf8").split("-")[0]);

async function rpcError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    const value = await promise;
    return { code: 0, message: `no error: ${JSON.stringify(value)}` };
  } catch (error) {
    if (error instanceof McpError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe("tasks on a server with two instances", () => {
  it("every tasks/get and the tasks/result of a task reach the instance that created it", async () => {
    const { client } = await start();
    const pids = await bothPids(client);
    expect(new Set(pids).size).toBe(2);
    const task = await createTask(client, 1500);
    const creator = creatorOf(task.taskId);
    expect(pids).toContain(creator);
    // Calls in between keep alternating between the instances; every poll still reaches the creator.
    const between = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const status = await client.experimental.tasks.getTask(task.taskId);
      expect([status.taskId, ["working", "completed"].includes(status.status)]).toEqual([task.taskId, true]);
      between.add(Number(await call(client, "who")));
    }
    expect(between.size).toBe(2);
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(Number(textOf(result))).toBe(creator);
  });

  it("a poll of a task whose process was killed gets an error naming the server, while down and after the restart", async () => {
    const { gw, client } = await start({ restart: { initialDelayMs: 1500, maxDelayMs: 1500 } });
    const task = await createTask(client, 60_000);
    const creator = creatorOf(task.taskId);
    process.kill(creator, "SIGKILL");
    await waitFor(() => (gw.status()[0]!.endpoints!.some((e) => e.state !== "up") ? true : undefined), "the killed instance down");
    const whileDown = await rpcError(client.experimental.tasks.getTask(task.taskId));
    expect(whileDown.code).toBe(-32602);
    expect(whileDown.message).toMatch(/^MCP error -32602: Task lost: tasks\/get of task "\d+-[0-9a-f]+" cannot be answered, the process of endpoint \d of server "s" that ran it exited/);
    // The other instance still serves other calls.
    expect(Number(await call(client, "who"))).not.toBe(creator);
    await waitFor(() => (gw.status()[0]!.endpoints!.every((e) => e.state === "up") ? true : undefined), "the killed instance restarted");
    const afterRestart = await rpcError(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema));
    expect(afterRestart.code).toBe(-32602);
    expect(afterRestart.message).toMatch(/Task lost: tasks\/result of task .* the process of endpoint \d of server "s" that ran it exited/);
  });
});

describe("tasks across eras on a server with two instances", () => {
  const withTasks = envelope({ extensions: { "io.modelcontextprotocol/tasks": {} } });

  it("a 2026-07-28 caller's task on a 2025 server: every tasks/get reaches its creator, the last with its result", async () => {
    const { gw, client } = await start();
    const created = await modernPost(gw.url, "tools/call", { name: "s__job", arguments: { ms: 800 } }, { meta: withTasks });
    const handle = String(created.body?.result?.taskId);
    const creator = creatorOf(handle);
    let done: Record<string, unknown> | undefined;
    // Polls until the 800 ms job completes, bounded in time (20 s) and count: a fast machine polls many times.
    const deadline = Date.now() + 20_000;
    for (let polls = 0; done === undefined && polls < 1000 && Date.now() < deadline; polls++) {
      const got = await modernPost(gw.url, "tasks/get", { taskId: handle }, { meta: withTasks });
      expect(got.body?.error).toBeUndefined();
      if (got.body?.result?.status === "completed") done = got.body.result;
      await call(client, "who"); // the next call goes to the other instance
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(done?.status).toBe("completed");
    expect(Number(textOf(done?.result))).toBe(creator);
  });

  it("a 2025 caller's task on a 2026-07-28 server: tasks/get and the emulated tasks/result reach its creator", async () => {
    const modern = twoInstances({ args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-tasks-server.ts")], cwd: REPO });
    const gw = await gateway({ servers: [modern] });
    open.gateways.push(gw);
    await waitFor(() => (gw.status()[0]!.endpoints?.every((e) => e.state === "up") ? true : undefined), "both instances up");
    const client = await connect(gw.url);
    open.clients.push(client);
    await client.listTools();
    let task: Task | undefined;
    for await (const message of client.experimental.tasks.callToolStream({ name: "s__long_job", arguments: { ms: 1000 } }, undefined, { task: { ttl: 60_000 } })) {
      if (message.type === "taskCreated") task = message.task;
      break;
    }
    for (let i = 0; i < 6; i++) expect((await client.experimental.tasks.getTask(task!.taskId)).taskId).toBe(task!.taskId);
    expect(textOf(await client.experimental.tasks.getTaskResult(task!.taskId, CallToolResultSchema))).toBe("job done after 1000 ms");
  });
});

describe("resource subscriptions on a server with two instances", () => {
  const updates = (client: Client): string[] => {
    const seen: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seen.push(n.params.uri));
    return seen;
  };
  const count = (seen: string[], uri: string): number => seen.filter((u) => u === uri).length;
  /** Time for a duplicate to arrive, were one sent (an absence cannot be awaited). */
  const settle = () => new Promise((r) => setTimeout(r, 400));

  it("subscribes every instance, and an update reported by either reaches the subscriber once", async () => {
    const { client } = await start();
    const seen = updates(client);
    await client.subscribeResource({ uri: "fixture://a" });
    await client.subscribeResource({ uri: "fixture://b" });
    const lists = [await call(client, "subscribed"), await call(client, "subscribed")];
    expect(lists).toEqual(['["fixture://a","fixture://b"]', '["fixture://a","fixture://b"]']);
    // Round-robin: the first touch lands on one instance, the second on the other.
    const first = await call(client, "touch", { uri: "fixture://a" });
    const second = await call(client, "touch", { uri: "fixture://b" });
    expect(first).not.toBe(second);
    await waitFor(() => (count(seen, "fixture://a") > 0 && count(seen, "fixture://b") > 0 ? true : undefined), "both updates");
    await settle();
    expect([count(seen, "fixture://a"), count(seen, "fixture://b")]).toEqual([1, 1]);
  });

  it("a 2026-07-28 server: the URIs join the listen of every instance, and an update reported by either reaches the subscriber once", async () => {
    const modern = twoInstances({ args: ["--import", "tsx", join(REPO, "gateway/test/fixtures/modern-server.ts")], cwd: REPO, startTimeoutMs: 10_000 });
    const gw = await gateway({ servers: [modern] });
    open.gateways.push(gw);
    await waitFor(() => (gw.status()[0]!.endpoints?.every((e) => e.state === "up") ? true : undefined), "both instances up");
    const client = await connect(gw.url);
    open.clients.push(client);
    const seen = updates(client);
    const uris = ["test://watched-resource", "test://static-text"];
    for (const uri of uris) await client.subscribeResource({ uri });
    await settle(); // each instance's listen reopens with the URIs
    // Round-robin: the two touches land on different instances; each instance's listen must carry the URI it reports on.
    for (const uri of uris) await client.callTool({ name: "s__test_touch_resource", arguments: { uri } });
    await waitFor(() => (uris.every((uri) => count(seen, uri) > 0) ? true : undefined), "an update of each URI");
    await settle();
    expect(uris.map((uri) => count(seen, uri))).toEqual([1, 1]);
  });

  it("the same update reported by both instances at once reaches the subscriber once", async () => {
    const { client } = await start();
    const seen = updates(client);
    await client.subscribeResource({ uri: "fixture://a" });
    const at = Date.now() + 500;
    const pids = [await call(client, "touch", { uri: "fixture://a", at }), await call(client, "touch", { uri: "fixture://a", at })];
    expect(new Set(pids).size).toBe(2);
    await waitFor(() => (count(seen, "fixture://a") > 0 ? true : undefined), "the update");
    await settle();
    expect(count(seen, "fixture://a")).toBe(1);
  });

  it("subscribes an instance again when it restarts, and unsubscribes every instance", async () => {
    const { gw, client } = await start();
    await client.subscribeResource({ uri: "fixture://a" });
    const [killed] = await bothPids(client);
    process.kill(killed!, "SIGKILL");
    const restarted = await waitFor(async () => {
      if (!gw.status()[0]!.endpoints!.every((e) => e.state === "up")) return undefined;
      const pids = await bothPids(client);
      return new Set(pids).size === 2 && !pids.includes(killed!) ? pids : undefined;
    }, "the killed instance restarted");
    expect(restarted).not.toContain(killed);
    expect([await call(client, "subscribed"), await call(client, "subscribed")]).toEqual(['["fixture://a"]', '["fixture://a"]']);
    await client.unsubscribeResource({ uri: "fixture://a" });
    expect([await call(client, "subscribed"), await call(client, "subscribed")]).toEqual(["[]", "[]"]);
  });
});

describe("a config reload of a server with tasks and subscriptions", () => {
  /** A gateway reading `servers` from a file it reloads on demand. */
  async function fromFile(servers: BackendConfigInput[]): Promise<{ gw: RunningGateway; client: Client; write: (next: BackendConfigInput[]) => void }> {
    const file = join(tempDir("sticky"), "gateway.yaml");
    const write = (next: BackendConfigInput[]) => writeFileSync(file, stringify({ listen: { host: "127.0.0.1", port: 0 }, servers: next }));
    write(servers);
    const gw = await startGateway(parseGatewayConfig({ listen: { host: "127.0.0.1", port: 0 }, servers }), { logger: silentLogger, sessionSecret: "test-secret", configFile: file });
    open.gateways.push(gw);
    await waitFor(() => (gw.status()[0]!.state === "up" ? true : undefined), "the server up");
    const client = await connect(gw.url);
    open.clients.push(client);
    await client.listTools();
    return { gw, client, write };
  }

  it("an instance added by a reload is subscribed to the watched URIs", async () => {
    const { gw, client, write } = await fromFile([twoInstances({ instances: 1 })]);
    await client.subscribeResource({ uri: "fixture://a" });
    write([twoInstances()]);
    expect(await gw.reload()).toBe("applied");
    await waitFor(() => (gw.status()[0]!.endpoints?.length === 2 && gw.status()[0]!.endpoints!.every((e) => e.state === "up" && e.draining !== true) ? true : undefined), "two instances up");
    const pids = await waitFor(async () => {
      const both = await bothPids(client);
      return new Set(both).size === 2 ? both : undefined;
    }, "both new instances answering");
    expect(pids).toHaveLength(2);
    expect([await call(client, "subscribed"), await call(client, "subscribed")]).toEqual(['["fixture://a"]', '["fixture://a"]']);
  });

  it("a poll of a task whose instance a reload replaced gets an error naming the server", async () => {
    const { gw, client, write } = await fromFile([twoInstances({ instances: 1 })]);
    const task = await createTask(client, 60_000);
    write([twoInstances({ instances: 1, env: { CHANGED: "1" } })]);
    expect(await gw.reload()).toBe("applied");
    await waitFor(() => (gw.status()[0]!.endpoints === undefined && gw.status()[0]!.state === "up" ? true : undefined), "the new instance alone");
    const lost = await rpcError(client.experimental.tasks.getTask(task.taskId));
    expect(lost.code).toBe(-32602);
    expect(lost.message).toMatch(/Task lost: tasks\/get of task "\d+-[0-9a-f]+" cannot be answered, the endpoint of server "s" that ran it is no longer part of the server \(the config was reloaded, its address left DNS, or another replica of the gateway ran it\)\.$/);
  });
});

describe("tasks on a server with two HTTP endpoints", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  /** server-everything over Streamable HTTP on 127.0.0.1 (each of its sessions has its own task store). */
  async function everything(): Promise<{ url: string; child: ChildProcess }> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--require", LOOPBACK_PRELOAD, EVERYTHING, "streamableHttp"], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let log = "";
    child.stdout!.on("data", (c: Buffer) => (log += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
    await waitFor(() => (/listening|running/i.test(log) ? true : undefined), "server-everything to listen", 600);
    return { url: `http://127.0.0.1:${port}/mcp`, child };
  }

  it("polls reach the endpoint that created the task; with it gone, -32002 names the server (never the other endpoint's unknown task)", async () => {
    const [a, b] = await Promise.all([everything(), everything()]);
    const gw = await gateway({ servers: [{ name: "r", transport: "http", url: a.url, urls: [b.url], balancing: "round-robin", healthCheck: { intervalMs: 200, timeoutMs: 500, failureThreshold: 1 } }] });
    open.gateways.push(gw);
    await waitFor(() => (gw.status()[0]!.endpoints?.every((e) => e.state === "up") ? true : undefined), "both endpoints up");
    const client = await connect(gw.url);
    open.clients.push(client);
    await client.listTools();
    let task: Task | undefined;
    for await (const message of client.experimental.tasks.callToolStream({ name: "r__simulate-research-query", arguments: { topic: "sticky" } }, undefined, { task: { ttl: 60_000 } })) {
      if (message.type === "taskCreated") task = message.task;
      break;
    }
    for (let i = 0; i < 6; i++) {
      expect((await client.experimental.tasks.getTask(task!.taskId)).taskId).toBe(task!.taskId);
      await client.callTool({ name: "r__echo", arguments: { message: "next endpoint" } });
    }
    // Stop the endpoints one by one: while the task's own is up its polls are answered; once it is down, the error.
    const refusals: { code: number; message: string }[] = [];
    for (const [key, victim] of [["0", a], ["1", b]] as const) {
      victim.child.kill("SIGKILL");
      await waitFor(() => {
        const endpoint = gw.status()[0]!.endpoints!.find((e) => e.key === key)!;
        return endpoint.state === "down" || endpoint.circuit === "open" ? true : undefined;
      }, `endpoint ${key} down or open`);
      const outcome = await rpcError(client.experimental.tasks.getTask(task!.taskId));
      if (outcome.code !== 0) {
        refusals.push(outcome);
        break;
      }
    }
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.code).toBe(-32002);
    expect(refusals[0]!.message).toMatch(/^MCP error -32002: Server "r" cannot answer tasks\/get of task "[0-9a-f]+": (endpoint \d of server "r", which runs the task, is not connected|the circuit of endpoint \d of server "r", which runs the task, is open)/);
  });
});
