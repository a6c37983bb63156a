/**
 * The benchmark's targets, each a process tree started here on 127.0.0.1 in front of the same server
 * (server-everything), and stopped here (its whole tree, nothing else).
 */
import { createHash } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { adapterHop } from "../../servers/catalog/derive.js";
import { openSession, type Protocol } from "./mcp-http.js";
import { treePids } from "./proctree.js";
import { startIdentityProvider } from "./identity-provider.js";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const LOOPBACK = join(ROOT, "bench/gateway/loopback.mjs");
const bin = (name: string) => realpathSync(join(ROOT, "node_modules/.bin", name));

/** `gateway-2026`: our gateway as `gateway`, called the 2026-07-28 way (stateless, `_meta` on every request). */
export const TARGET_NAMES = ["direct", "gateway", "gateway-2026", "gateway-oauth", "gateway-ratelimit", "gateway-bare", "gateway-balanced", "gateway-2hop", "gateway-baseline", "mcp-proxy", "supergateway", "mcp-hub"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
/** Named only: the balanced gateway, and the gateway of another checkout (`MCP_FLEET_BENCH_BASELINE`). */
const ON_REQUEST: ReadonlySet<string> = new Set(["gateway-balanced", "gateway-baseline"]);
/** What `npm run bench` runs unless `--targets` says otherwise. */
export const DEFAULT_TARGETS: readonly TargetName[] = TARGET_NAMES.filter((name) => !ON_REQUEST.has(name));

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
  /** Header lines the load generator sends on every request (the bearer token of `gateway-oauth`). @default "" */
  headers?: string;
  stop(): Promise<void>;
}

interface Launch {
  protocol: Protocol;
  path: string;
  command: string[];
  env?: Record<string, string>;
  headers?: string;
  /** Stops what the launch started in this process (the identity provider of `gateway-oauth`). */
  cleanup?: () => Promise<void>;
}

/** One client opens every session of the run: above the default per-client session bucket (30 at once) at C=32+. */
const BENCH_SESSIONS = { perClient: { createPerMinute: 100_000, burst: 10_000 } };

/** The gateway's config file and command line, with more config (identity sections) merged in. */
function gatewayLaunch(port: number, dir: string, extra: Record<string, unknown>, headers?: string, cleanup?: () => Promise<void>, server: Record<string, unknown> = {}): Launch {
  const node = process.execPath;
  const config = {
    listen: { host: "127.0.0.1", port, path: "/mcp" },
    // One client opens every session of the run: above the default per-client session bucket (30 at once) at C=32+.
    sessions: BENCH_SESSIONS,
    ...extra,
    servers: [{ name: "everything", transport: "stdio", command: node, args: [EVERYTHING, "stdio"], cwd: ROOT, access: [{ roles: ["*"], tools: ["*"] }], ...server }],
  };
  const file = join(dir, "gateway.json");
  writeFileSync(file, JSON.stringify(config));
  return { protocol: "streamable", path: "/mcp", command: [node, join(ROOT, "gateway/bin/mcp-fleet-gateway.js"), "--config", file], ...(headers !== undefined ? { headers } : {}), ...(cleanup !== undefined ? { cleanup } : {}) };
}

async function launch(name: TargetName, port: number, dir: string, spare: number): Promise<Launch> {
  const node = process.execPath;
  switch (name) {
    case "gateway-oauth": {
      // A JWKS on 127.0.0.1 (this process) and one token for every session: verified once, then from the cache.
      const idp = await startIdentityProvider();
      const token = await idp.token(`http://127.0.0.1:${port}/mcp`);
      return gatewayLaunch(port, dir, { auth: { mode: "oauth", resource: `http://127.0.0.1:${port}/mcp`, oauth: { issuer: idp.issuer, jwksUri: idp.jwksUri } } }, `authorization: Bearer ${token}\r\n`, idp.close);
    }
    case "gateway-ratelimit":
      // Every call spends from its caller's bucket (in memory); the limit is high enough that none is refused.
      return gatewayLaunch(port, dir, { rateLimits: { rules: [{ key: "identity", perMinute: 6_000_000, burst: 1_000_000 }] } });
    case "direct":
      return { protocol: "streamable", path: "/mcp", command: [node, "--import", LOOPBACK, EVERYTHING, "streamableHttp"], env: { PORT: String(port) } };
    case "gateway":
      return gatewayLaunch(port, dir, {});
    case "gateway-2026":
      return { ...gatewayLaunch(port, dir, {}), protocol: "stateless" };
    case "gateway-bare":
      // Health checks, breakers and retries off: what "on by default" costs is gateway against this.
      return gatewayLaunch(port, dir, {}, undefined, undefined, { healthCheck: { kind: "none" }, breaker: { enabled: false }, retries: { maxAttempts: 0 } });
    case "gateway-balanced":
      // The defaults over two server processes, least-outstanding balancing between them.
      return gatewayLaunch(port, dir, {}, undefined, undefined, { instances: 2 });
    case "gateway-baseline": {
      // The gateway of another checkout (an earlier commit, with its own node_modules), in the same run: what a
      // change costs, measured interleaved. Its config is the part every version understands.
      const base = process.env.MCP_FLEET_BENCH_BASELINE;
      if (base === undefined || !existsSync(join(base, "gateway/bin/mcp-fleet-gateway.js"))) {
        throw new Error("gateway-baseline needs MCP_FLEET_BENCH_BASELINE=DIR, a checkout with node_modules (e.g. git worktree add DIR <commit> && npm ci there)");
      }
      const file = join(dir, "baseline.json");
      // A version with a per-client session bucket gets the same lift as `gateway` (one client opens every session).
      const config = [join(base, "gateway/src/config.ts"), join(base, "gateway/src/config/front.ts")].filter(existsSync).map((f) => readFileSync(f, "utf8")).join("");
      const sessions = config.includes("perClient") ? { sessions: BENCH_SESSIONS } : {};
      writeFileSync(file, JSON.stringify({ listen: { host: "127.0.0.1", port, path: "/mcp" }, ...sessions, servers: [{ name: "everything", transport: "stdio", command: node, args: [join(base, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"], cwd: base }] }));
      return { protocol: "streamable", path: "/mcp", command: [node, join(base, "gateway/bin/mcp-fleet-gateway.js"), "--config", file] };
    }
    case "gateway-2hop": {
      // As deployed: the central gateway -> the server's adapter (the gateway in passthrough mode) -> the stdio server.
      // One process tree (the adapter is the central gateway's child after the shell's exec), measured whole.
      // The adapter takes the central gateway's API key, as in a cluster (components/gateway-secrets.ts); a bench
      // key, so inline (by hash at the adapter, as a literal header at the central gateway).
      const access = [{ roles: ["*"], tools: ["*"] }];
      const key = "bench-adapter-key-0123456789abcdef";
      const adapter = {
        listen: { host: "127.0.0.1", port: spare, path: "/mcp" },
        sessions: BENCH_SESSIONS,
        naming: { passthrough: true },
        auth: { mode: "apiKey", apiKeys: [{ name: "mcp-fleet-gateway", sha256: createHash("sha256").update(key).digest("hex"), roles: ["mcp-fleet-gateway"] }] },
        servers: [{ name: "everything", transport: "stdio", command: node, args: [EVERYTHING, "stdio"], cwd: ROOT, access: [{ roles: ["mcp-fleet-gateway"], tools: ["*"], resources: ["*"], prompts: ["*"] }] }],
      };
      const central = {
        listen: { host: "127.0.0.1", port, path: "/mcp" },
        sessions: BENCH_SESSIONS,
        // Toward the adapter, the revision the components render for a server of `protocol: auto`, and its key.
        servers: [{ name: "everything", transport: "http", url: `http://127.0.0.1:${spare}/mcp`, access, ...adapterHop({ protocol: "auto" }), credentials: { headers: { Authorization: `Bearer ${key}` } } }],
      };
      writeFileSync(join(dir, "adapter.json"), JSON.stringify(adapter));
      writeFileSync(join(dir, "central.json"), JSON.stringify(central));
      const gatewayBin = join(ROOT, "gateway/bin/mcp-fleet-gateway.js");
      const q = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
      return {
        protocol: "streamable",
        path: "/mcp",
        command: ["/bin/sh", "-c", `${q(node)} ${q(gatewayBin)} --config ${q(join(dir, "adapter.json"))} & exec ${q(node)} ${q(gatewayBin)} --config ${q(join(dir, "central.json"))}`],
      };
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
  const { protocol, path, command, env, headers, cleanup } = await launch(name, port, dir, await freePort());
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
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}${path}`;
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  try {
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${name} exited during start-up:\n${tailOf(logFile)}`);
      try {
        const session = await openSession(protocol, url, headers);
        const listed = await session.call("tools/list", {});
        await session.close();
        const tools = (listed.result?.tools ?? []) as Array<{ name: string }>;
        const echo = tools.find((t) => t.name === "echo") ?? tools.find((t) => /(^|[^a-z])echo$/.test(t.name));
        if (echo !== undefined) return { name, protocol, url, tool: echo.name, pid, logFile, stop, ...(headers !== undefined ? { headers } : {}) };
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
