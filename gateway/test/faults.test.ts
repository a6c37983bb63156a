/**
 * Faults: a stdio backend killed mid-call (prompt error naming the server, restart, others unaffected), a slow
 * backend (timeout naming server, tool and cause), a backend that cannot start (/readyz 503), the real bin leaving no
 * process of its tree after SIGTERM, and config errors (exit 1 naming the field).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, FIXTURE, REPO, connect, freePort, gateway, tempDir, textOf, waitFor } from "./helpers.js";
import { modernPost } from "./modern-wire.js";

const BIN = join(REPO, "gateway/bin/mcp-fleet-gateway.js");
let gw: RunningGateway;
let client: Client;
const spawned: ChildProcess[] = [];

beforeAll(async () => {
  gw = await gateway({
    servers: [
      { name: "fixture", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], restart: { initialDelayMs: 100, maxDelayMs: 1000 } },
      { name: "slowfix", transport: "stdio", command: "node", args: ["--import", "tsx", FIXTURE], timeoutMs: 500 },
      { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"] },
      { name: "broken", transport: "stdio", command: "/nonexistent/mcp-server", restart: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
    ],
  });
  client = await connect(gw.url);
});

afterAll(async () => {
  for (const child of spawned) if (child.exitCode === null && child.pid !== undefined) child.kill("SIGKILL");
  await client?.close();
  await gw?.close();
});

/** Process ids whose process group is one of `groups`, from /proc. */
function membersOf(groups: Set<number>): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && groups.has(Number(fields[2]))) found.push(Number(entry));
    } catch {
      // process ended while reading
    }
  }
  return found;
}

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

function runBin(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  spawned.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe("faults", () => {
  it("fails a call promptly when its stdio backend dies, restarts it, and leaves the others alone", async () => {
    const pid = Number(textOf(await client.callTool({ name: "fixture__pid" })));
    const call = client.callTool({ name: "fixture__slow", arguments: { ms: 30_000, tag: "victim" } });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid, "SIGKILL");
    await expect(call).rejects.toThrow('Server "fixture" failed during tools/call "slow": killed by SIGKILL');
    // The others keep working while it restarts.
    expect(textOf(await client.callTool({ name: "everything__echo", arguments: { message: "still here" } }))).toBe("Echo: still here");
    const newPid = await waitFor(async () => {
      try {
        const p = Number(textOf(await client.callTool({ name: "fixture__pid" })));
        return p !== pid ? p : undefined;
      } catch {
        return undefined;
      }
    }, "the fixture to come back");
    expect(newPid).not.toBe(pid);
    const status = gw.status().find((s) => s.name === "fixture")!;
    expect(status.state).toBe("up");
    const metrics = await gw.metrics.render();
    expect(metrics).toMatch(/mcp_gateway_backend_restarts_total\{server="fixture"\} [1-9]/);
  });

  it("times out a slow call with an error naming server, tool and cause, and cancels it upstream", async () => {
    await expect(client.callTool({ name: "slowfix__slow", arguments: { ms: 5000, tag: "too-slow" } })).rejects.toThrow(
      'Server "slowfix" did not answer tools/call "slow" within 500 ms (timeoutMs); the call was cancelled.',
    );
    const cancelled = await waitFor(async () => {
      const list = JSON.parse(textOf(await client.callTool({ name: "slowfix__cancelled" }))) as string[];
      return list.includes("too-slow") ? list : undefined;
    }, "the backend to see the cancellation");
    expect(cancelled).toContain("too-slow");
  });

  it("reports a backend that cannot start in /status with its error, and stays ready (/readyz 200): the replica serves the others", async () => {
    const base = new URL(gw.url).origin;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    const status = (await (await fetch(`${base}/status`)).json()) as { servers: { name: string; state: string; lastError?: string }[] };
    const broken = status.servers.find((s) => s.name === "broken")!;
    expect(broken.state).toBe("down");
    expect(broken.lastError).toBe('cannot start: command "/nonexistent/mcp-server" was not found (no such executable file); install it or fix the server\'s command');
  });

  it("answers /readyz 503 naming the backend that is not up when readiness.requireBackends is set (an adapter's setting)", async () => {
    const adapter = await gateway({ readiness: { requireBackends: true }, servers: [{ name: "broken", transport: "stdio", command: "/nonexistent/mcp-server" }] });
    try {
      const ready = await fetch(new URL("/readyz", adapter.url));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "not ready", down: ["broken"] });
    } finally {
      await adapter.close();
    }
  });

  it("refuses to open a session (503, Retry-After, naming the server) while a readiness.requireBackends gateway's server is not up; opens one without the setting", async () => {
    const initialize = (url: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
      });
    const broken = [{ name: "broken", transport: "stdio" as const, command: "/nonexistent/mcp-server" }];
    const adapter = await gateway({ readiness: { requireBackends: true }, servers: broken });
    const central = await gateway({ servers: broken });
    try {
      const refused = await initialize(adapter.url);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("mcp-session-id")).toBeNull();
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('Service Unavailable: server "broken" is not up yet (readiness.requireBackends)');
      const opened = await initialize(central.url);
      expect(opened.status).toBe(200);
      expect(opened.headers.get("mcp-session-id")).toBeTruthy();
    } finally {
      await adapter.close();
      await central.close();
    }
  });

  it("answers a 2026-07-28 server/discover with 503, Retry-After and a retryable error naming the server while a readiness.requireBackends gateway's server is not up", async () => {
    const adapter = await gateway({ readiness: { requireBackends: true }, servers: [{ name: "broken", transport: "stdio", command: "/nonexistent/mcp-server" }] });
    try {
      const answer = await modernPost(adapter.url, "server/discover", {}, { id: 7 });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.body).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32603, message: 'Service Unavailable: server "broken" is not up yet (readiness.requireBackends)', data: { retryable: true } } });
    } finally {
      await adapter.close();
    }
  });

  it("leaves no process of its tree behind after SIGTERM (grandchildren included) and exits 0", async () => {
    const dir = tempDir("bin");
    const port = await freePort();
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      [
        `listen: { host: 127.0.0.1, port: ${port} }`,
        "shutdown: { drainTimeoutMs: 2000 }",
        "servers:",
        `  - { name: everything, transport: stdio, command: node, args: [${JSON.stringify(EVERYTHING)}, stdio] }`,
        // A backend with a grandchild in its process group.
        `  - { name: wrapped, transport: stdio, command: sh, args: ["-c", ${JSON.stringify(`sleep 300 & exec node ${EVERYTHING} stdio`)}] }`,
      ].join("\n"),
    );
    const run = runBin(["--config", config]);
    await waitFor(() => (run.stdout().includes('"listening"') ? true : undefined), "the gateway to listen", 400);
    const children = childrenOf(run.child.pid!);
    // Each stdio backend leads its own process group (tsx's esbuild helper is a child too, in the gateway's group).
    const groups = new Set(children.filter((pid) => membersOf(new Set([pid])).includes(pid)));
    expect(groups.size).toBe(2);
    const tree = new Set([...children, ...membersOf(groups)]);
    expect(tree.size).toBeGreaterThanOrEqual(3); // two servers + the sleep grandchild
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const alive = () => [...tree].filter((pid) => {
      try {
        return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
      } catch {
        return false;
      }
    });
    const left = await waitFor(() => (alive().length === 0 && membersOf(groups).length === 0 ? [] : undefined), "the gateway's tree to be gone", 100);
    expect(left).toEqual([]);
  });

  it("exits 1 on an invalid config, naming the field and the fix", async () => {
    const dir = tempDir("badcfg");
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, "listen: { port: 99999 }\nservers:\n  - { name: Bad_Name, transport: stdio, command: node }\n");
    const run = runBin(["--config", config]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`${config} is invalid:`);
    expect(run.stderr()).toContain("listen.port: Too big: expected number to be <=65535");
    expect(run.stderr()).toContain("servers[0].name: must be a DNS-1123 label: lowercase letters, digits and '-', 1-63 characters");
    const missing = runBin([]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toContain("--config FILE is required.");
  });
});
