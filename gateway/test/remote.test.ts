/**
 * Remote backends: server-everything in its `streamableHttp` and `sse` modes (bound to 127.0.0.1 by a preload) as
 * `http` and `sse` backends of one gateway, with a progress-reporting call and a sampling request through each.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, LOOPBACK_PRELOAD, connect, freePort, gateway, textOf, waitFor } from "./helpers.js";

const children: ChildProcess[] = [];
let gw: RunningGateway;
let client: Client;

let httpPort = 0;

async function startEverything(mode: "streamableHttp" | "sse", fixedPort?: number): Promise<number> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, ["--require", LOOPBACK_PRELOAD, EVERYTHING, mode], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let log = "";
  child.stdout!.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
  await waitFor(() => (/listening|running/i.test(log) ? true : undefined), `server-everything ${mode} to listen`, 600);
  return port;
}

beforeAll(async () => {
  let ssePort: number;
  [httpPort, ssePort] = await Promise.all([startEverything("streamableHttp"), startEverything("sse")]);
  gw = await gateway({
    servers: [
      { name: "remote", transport: "http", url: `http://127.0.0.1:${httpPort}/mcp` },
      { name: "legacy", transport: "sse", url: `http://127.0.0.1:${ssePort}/sse` },
    ],
  });
  client = await connect(gw.url, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: "assistant", model: "m", content: { type: "text", text: "remote answer" } }));
});

afterAll(async () => {
  await client?.close();
  await gw?.close();
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

describe("http and sse backends", () => {
  it("lists both servers' tools under their prefixes and reports them up", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    const remote = names.filter((n) => n.startsWith("remote__"));
    const legacy = names.filter((n) => n.startsWith("legacy__"));
    expect(remote).toContain("remote__echo");
    expect(legacy).toContain("legacy__echo");
    expect(remote.length).toBe(16);
    expect(legacy.length).toBe(16);
    expect(gw.status().map((s) => [s.name, s.transport, s.state])).toEqual([
      ["remote", "http", "up"],
      ["legacy", "sse", "up"],
    ]);
  });

  for (const server of ["remote", "legacy"]) {
    it(`calls a tool, forwards progress and sampling through the ${server} backend`, async () => {
      expect(textOf(await client.callTool({ name: `${server}__echo`, arguments: { message: server } }))).toBe(`Echo: ${server}`);
      const seen: number[] = [];
      await client.callTool({ name: `${server}__trigger-long-running-operation`, arguments: { duration: 0.2, steps: 3 } }, undefined, {
        onprogress: (p) => seen.push(p.progress),
      });
      expect(seen).toEqual([1, 2, 3]);
      const sampled = await client.callTool({ name: `${server}__trigger-sampling-request`, arguments: { prompt: "hi", maxTokens: 5 } });
      expect(textOf(sampled)).toContain("remote answer");
      const read = await client.readResource({ uri: "demo://resource/dynamic/text/2" });
      expect(read.contents[0]!.uri).toBe("demo://resource/dynamic/text/2");
    });
  }

  it("routes concurrent sampling requests of a shared http backend to the client whose call caused each", async () => {
    const make = async (answer: string) => {
      const c = await connect(gw.url, { capabilities: { sampling: {} } });
      c.setRequestHandler(CreateMessageRequestSchema, async () => {
        await new Promise((r) => setTimeout(r, 100)); // both calls are in flight at once
        return { role: "assistant", model: "m", content: { type: "text", text: `from ${answer}` } };
      });
      return c;
    };
    const [a, b] = await Promise.all([make("alpha"), make("beta")]);
    try {
      const [ra, rb] = await Promise.all([
        a.callTool({ name: "remote__trigger-sampling-request", arguments: { prompt: "a", maxTokens: 5 } }),
        b.callTool({ name: "remote__trigger-sampling-request", arguments: { prompt: "b", maxTokens: 5 } }),
      ]);
      expect(textOf(ra)).toContain("from alpha");
      expect(textOf(ra)).not.toContain("from beta");
      expect(textOf(rb)).toContain("from beta");
      expect(textOf(rb)).not.toContain("from alpha");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("fails calls promptly while an http backend is gone, and reconnects when it is back", async () => {
    const first = children[0]!;
    process.kill(-first.pid!, "SIGKILL");
    await new Promise<void>((resolve) => (first.exitCode !== null || first.signalCode !== null ? resolve() : first.once("exit", () => resolve())));
    await expect(client.callTool({ name: "remote__echo", arguments: { message: "x" } })).rejects.toThrow(/Server "remote" (failed during tools\/call "echo"|is unavailable)/);
    await waitFor(() => (gw.status()[0]!.state !== "up" ? true : undefined), "the remote backend to be marked down");
    expect(textOf(await client.callTool({ name: "legacy__echo", arguments: { message: "unaffected" } }))).toBe("Echo: unaffected");
    await startEverything("streamableHttp", httpPort);
    await waitFor(() => (gw.status()[0]!.state === "up" ? true : undefined), "the remote backend to reconnect", 600);
    expect(textOf(await client.callTool({ name: "remote__echo", arguments: { message: "back" } }))).toBe("Echo: back");
  });

  it("fails calls promptly when the legacy sse backend is gone, and marks it down", async () => {
    const legacy = children[1]!;
    process.kill(-legacy.pid!, "SIGKILL");
    await new Promise<void>((resolve) => (legacy.exitCode !== null || legacy.signalCode !== null ? resolve() : legacy.once("exit", () => resolve())));
    await expect(client.callTool({ name: "legacy__echo", arguments: { message: "x" } })).rejects.toThrow(/Server "legacy" (failed during tools\/call "echo"|is unavailable)/);
    await waitFor(() => (gw.status()[1]!.state !== "up" ? true : undefined), "the legacy backend to be marked down");
    expect(textOf(await client.callTool({ name: "remote__echo", arguments: { message: "unaffected" } }))).toBe("Echo: unaffected");
  });
});
