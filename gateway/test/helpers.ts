/** Test helpers: real gateways, real backends, the real SDK client. */
import { mkdtempSync } from "node:fs";
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
