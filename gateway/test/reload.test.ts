/**
 * Hot reload of the real executable's config, mounted the way a Kubernetes ConfigMap is (`gateway.yaml` ->
 * `..data/gateway.yaml`, `..data` -> a timestamped directory, swapped by renaming a new symlink over `..data`):
 * a server added appears, a removed one drains (its call in flight finishes) and goes, a changed one restarts, an
 * untouched one keeps its process, and the client's session goes on throughout; an invalid file is refused and
 * counted while the old config keeps serving; SIGHUP reloads (unchanged here).
 */
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { stringify } from "yaml";
import { REPO, connect, tempDir, textOf, waitFor } from "./helpers.js";

const SERVER = join(REPO, "gateway/test/fixtures/resilience-server.mjs");
const dir = tempDir("reload");
const mount = join(dir, "config");
let generation = 0;
let gatewayPid = 0;
let url = "";
let stderr = "";
let client: Client;
let stopGateway: () => Promise<void> = async () => undefined;

const server = (name: string, track = name) => ({ name, transport: "stdio", command: process.execPath, args: [SERVER], env: { RESILIENCE_TRACK: track } });

/** Writes the next generation of the ConfigMap and swaps `..data` to it atomically, as the kubelet does. */
function publish(config: unknown): void {
  generation += 1;
  const data = join(mount, `..gen_${generation}`);
  mkdirSync(data);
  writeFileSync(join(data, "gateway.yaml"), typeof config === "string" ? config : stringify(config));
  symlinkSync(`..gen_${generation}`, join(mount, "..data_tmp"));
  renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
}

const base = { listen: { host: "127.0.0.1", port: 0 }, logging: { level: "info" } };
const who = async (name: string) => JSON.parse(textOf(await client.callTool({ name, arguments: {} }))) as { pid: number; track: string };
const metrics = async () => (await fetch(new URL("/metrics", url))).text();
const toolNames = async () => (await client.listTools()).tools.map((t) => t.name).filter((n) => n.endsWith("__who")).sort();

beforeAll(async () => {
  mkdirSync(mount);
  publish({ ...base, servers: [server("keep"), server("change", "before"), server("drop")] });
  symlinkSync("..data/gateway.yaml", join(mount, "gateway.yaml"));
  const child = spawn(process.execPath, [join(REPO, "gateway/bin/mcp-fleet-gateway.js"), "--config", join(mount, "gateway.yaml")], {
    cwd: REPO,
    env: { ...process.env, MCP_FLEET_SESSION_SECRET: "test-secret" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  gatewayPid = child.pid!;
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  stopGateway = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line !== undefined) resolve((JSON.parse(line) as { listening: string }).listening);
    });
    void exited.then(() => reject(new Error(`gateway exited: ${stderr.slice(-2000)}`)));
  });
  client = await connect(url);
});

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await stopGateway();
});

describe("hot reload of a ConfigMap-mounted config", () => {
  it("adds, drains and removes, restarts the changed server, keeps the untouched one and the session", async () => {
    expect(await toolNames()).toEqual(["change__who", "drop__who", "keep__who"]);
    const keepPid = (await who("keep__who")).pid;
    const changePid = (await who("change__who")).pid;
    const sessionId = (client.transport as { sessionId?: string }).sessionId;
    // A call in flight on the server about to be removed finishes (drained), it is not cut.
    const inFlight = client.callTool({ name: "drop__sleep", arguments: { ms: 1200 } });
    await new Promise((r) => setTimeout(r, 200));
    publish({ ...base, servers: [server("keep"), server("change", "after"), server("add")] });
    await waitFor(async () => ((await toolNames()).join() === "add__who,change__who,keep__who" ? true : undefined), "the new tool list", 200, 50);
    expect(JSON.parse(textOf(await inFlight)).track).toBe("drop");
    expect(await who("add__who")).toMatchObject({ track: "add" });
    await waitFor(async () => ((await who("change__who").catch(() => undefined))?.track === "after" ? true : undefined), "the changed server restarted", 100, 50);
    expect((await who("change__who")).pid).not.toBe(changePid);
    expect((await who("keep__who")).pid).toBe(keepPid);
    await expect(client.callTool({ name: "drop__who", arguments: {} })).rejects.toThrow('Unknown tool: "drop__who"');
    expect((client.transport as { sessionId?: string }).sessionId).toBe(sessionId);
    expect(await metrics()).toContain('mcp_gateway_config_reloads_total{result="applied"} 1');
    // Once drained and stopped, the removed server's gauges go.
    await waitFor(async () => (!(await metrics()).includes('mcp_gateway_backend_up{server="drop"') ? true : undefined), "the removed server's gauges to go", 100, 50);
  });

  it("refuses an invalid file, counts it, and keeps serving the old config", async () => {
    publish({ ...base, servers: [{ name: "Bad Name", transport: "stdio", command: "node" }] });
    await waitFor(async () => ((await metrics()).includes('mcp_gateway_config_reloads_total{result="invalid"} 1') ? true : undefined), "the refusal counted", 100, 50);
    expect(stderr).toContain("config reload refused: the file is invalid; the running config keeps serving");
    expect(stderr).toContain("servers[0].name: must be a DNS-1123 label");
    expect(await toolNames()).toEqual(["add__who", "change__who", "keep__who"]);
    expect((await who("add__who")).track).toBe("add");
  });

  it("reloads on SIGHUP (the file valid again, and the same as what runs: unchanged)", async () => {
    publish({ ...base, servers: [server("keep"), server("change", "after"), server("add")] });
    process.kill(gatewayPid, "SIGHUP");
    await waitFor(async () => ((await metrics()).includes('mcp_gateway_config_reloads_total{result="unchanged"} 1') ? true : undefined), "SIGHUP counted", 100, 50);
    expect(await metrics()).toContain('mcp_gateway_config_reloads_total{result="applied"} 1');
    expect((await who("keep__who")).track).toBe("keep");
  });
});
