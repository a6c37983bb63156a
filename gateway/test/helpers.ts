/** Test helpers: real gateways, real backends, the real SDK client. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { pino } from "pino";
import { parseGatewayConfig, type GatewayConfigInput } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";

export const REPO = resolve(import.meta.dirname, "../..");
const MODULES = join(REPO, "node_modules/@modelcontextprotocol");
export const EVERYTHING = join(MODULES, "server-everything/dist/index.js");
export const MEMORY = join(MODULES, "server-memory/dist/index.js");
export const FILESYSTEM = join(MODULES, "server-filesystem/dist/index.js");
export const THINKING = join(MODULES, "server-sequential-thinking/dist/index.js");
export const FIXTURE = join(REPO, "gateway/test/fixtures/fixture-server.ts");
export const LOOPBACK_PRELOAD = join(REPO, "gateway/test/fixtures/listen-loopback.cjs");

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mcp-fleet-${prefix}-`));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export const silentLogger = pino({ level: "silent" });

/** Starts a gateway in this process on a free loopback port. */
export function gateway(config: Omit<GatewayConfigInput, "listen"> & { listen?: GatewayConfigInput["listen"] }): Promise<RunningGateway> {
  const parsed = parseGatewayConfig({ listen: { host: "127.0.0.1", port: 0 }, ...config });
  return startGateway(parsed, { logger: silentLogger, sessionSecret: "test-secret" });
}

export interface ClientOptions {
  capabilities?: Record<string, unknown>;
}

/** Connects the SDK client over Streamable HTTP. */
export async function connect(url: string, options: ClientOptions = {}): Promise<Client> {
  const client = new Client({ name: "gateway-test", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Polls `check` until it returns a value other than undefined; bounded in tries. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, tries = 200, everyMs = 50): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

export interface GatewayChild {
  url: string;
  /** The gateway's own pid. */
  pid: number;
  child: ChildProcess;
  /** Everything it wrote on stderr (JSON log lines). */
  stderr: () => string;
  exited: Promise<number | string>;
  /** SIGTERM (or `signal`), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs the real gateway executable (`gateway/bin/mcp-fleet-gateway.js`) on a config, as deployed. */
export async function gatewayProcess(config: GatewayConfigInput, env: Record<string, string> = {}): Promise<GatewayChild> {
  const dir = tempDir("gw-process");
  const file = join(dir, "gateway.json");
  writeFileSync(file, JSON.stringify({ listen: { host: "127.0.0.1", port: 0 }, logging: { level: "warn" }, ...config }));
  const child = spawn(process.execPath, [join(REPO, "gateway/bin/mcp-fleet-gateway.js"), "--config", file], {
    cwd: REPO,
    env: { ...process.env, MCP_FLEET_SESSION_SECRET: "test-secret", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line !== undefined) resolve((JSON.parse(line) as { listening: string }).listening);
    });
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before listening: ${stderr.slice(-2000)}`)));
  });
  return {
    url,
    pid: child.pid!,
    child,
    stderr: () => stderr,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
