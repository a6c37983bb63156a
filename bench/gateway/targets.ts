/**
 * The benchmark's targets, each a process tree started here on 127.0.0.1 in front of the same server
 * (server-everything), and stopped here (its whole tree, nothing else).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openSession, type Protocol } from "./mcp-http.js";
import { treePids } from "./proctree.js";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const LOOPBACK = join(ROOT, "bench/gateway/loopback.mjs");
const bin = (name: string) => realpathSync(join(ROOT, "node_modules/.bin", name));

/** `gateway-2026`: our gateway as `gateway`, called the 2026-07-28 way (stateless, `_meta` on every request). */
export const TARGET_NAMES = ["direct", "gateway", "gateway-2026", "mcp-proxy", "supergateway", "mcp-hub"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface RunningTarget {
  name: TargetName;
  protocol: Protocol;
  /** MCP endpoint (Streamable HTTP) or SSE stream URL (legacy). */
  url: string;
  /** Name of server-everything's `echo` tool as this target exposes it. */
  tool: string;
  /** Root of the process tree. */
  pid: number;
  /** Where the tree's stdout/stderr go. */
  logFile: string;
  stop(): Promise<void>;
}

interface Launch {
  protocol: Protocol;
  path: string;
  command: string[];
  env?: Record<string, string>;
}

function launch(name: TargetName, port: number, dir: string): Launch {
  const node = process.execPath;
  switch (name) {
    case "direct":
      return { protocol: "streamable", path: "/mcp", command: [node, "--import", LOOPBACK, EVERYTHING, "streamableHttp"], env: { PORT: String(port) } };
    case "gateway":
    case "gateway-2026": {
      const config = {
        listen: { host: "127.0.0.1", port, path: "/mcp" },
        // The load generator is one client address opening a session per worker (up to 32 at once, and more over a
        // run): the per-client session bucket protects a deployment, not a benchmark.
        sessions: { perClient: { createPerMinute: 100_000, burst: 1000 } },
        servers: [{ name: "everything", transport: "stdio", command: node, args: [EVERYTHING, "stdio"], cwd: ROOT }],
      };
      const file = join(dir, "gateway.json");
      writeFileSync(file, JSON.stringify(config));
      return { protocol: name === "gateway" ? "streamable" : "stateless", path: "/mcp", command: [node, join(ROOT, "gateway/bin/mcp-fleet-gateway.js"), "--config", file] };
    }
    case "mcp-proxy":
      return {
        protocol: "streamable",
        path: "/mcp",
        command: [node, "--import", LOOPBACK, bin("mcp-proxy"), "--host", "127.0.0.1", "--port", String(port), "--server", "stream", "--", node, EVERYTHING, "stdio"],
      };
    case "supergateway":
      return {
        protocol: "streamable",
        path: "/mcp",
        command: [
          node,
          "--import",
          LOOPBACK,
          bin("supergateway"),
          "--stdio",
          `${node} ${EVERYTHING} stdio`,
          "--outputTransport",
          "streamableHttp",
          "--stateful",
          "--port",
          String(port),
          "--logLevel",
          "none",
        ],
      };
    case "mcp-hub": {
      const file = join(dir, "mcp-hub.json");
      writeFileSync(file, JSON.stringify({ mcpServers: { everything: { command: node, args: [EVERYTHING, "stdio"] } } }));
      return { protocol: "sse", path: "/mcp", command: [node, "--import", LOOPBACK, join(ROOT, "node_modules/mcp-hub/dist/cli.js"), "--port", String(port), "--config", file] };
    }
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Starts a target and waits until an MCP session through it lists the echo tool (bounded by `timeoutMs`). */
export async function startTarget(name: TargetName, timeoutMs = 45_000): Promise<RunningTarget> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `mcp-fleet-bench-${name}-`));
  const { protocol, path, command, env } = launch(name, port, dir);
  const logFile = join(dir, "out.log");
  const log = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command[0] as string, command.slice(1), {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", log, log],
      detached: true,
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not spawn ${command.join(" ")}`);
  let exited = false;
  const exit = new Promise<void>((ok) => child.once("exit", () => ((exited = true), ok())));

  const stop = async () => {
    // Every process of the tree, taken before the root goes (its children may be in their own groups).
    const pids = treePids(pid);
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // gone
    }
    await Promise.race([exit, sleep(8000)]);
    for (const p of pids) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}${path}`;
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  try {
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${name} exited during start-up:\n${tailOf(logFile)}`);
      try {
        const session = await openSession(protocol, url);
        const listed = await session.call("tools/list", {});
        await session.close();
        const tools = (listed.result?.tools ?? []) as Array<{ name: string }>;
        const echo = tools.find((t) => t.name === "echo") ?? tools.find((t) => /(^|[^a-z])echo$/.test(t.name));
        if (echo !== undefined) return { name, protocol, url, tool: echo.name, pid, logFile, stop };
        lastError = `tools/list has no echo tool (${tools.length} tools)`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(250);
    }
    throw new Error(`${name} not ready within ${timeoutMs} ms: ${lastError}\n${tailOf(logFile)}`);
  } catch (error) {
    await stop();
    throw error;
  }
}

function tailOf(file: string): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-10).join("\n");
  } catch {
    return "";
  }
}
