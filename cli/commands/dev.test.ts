import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/gateway/targets.js";
import { localSkips } from "../../components/gateway-config.js";
import { findRepoRoot, loadCatalog } from "../../servers/catalog/catalog.js";
import { treePids } from "../../bench/gateway/proctree.js";
import { CliError } from "../errors.js";
import { resolvePort } from "./dev.js";

describe("resolvePort", () => {
  it("takes --port, then PORT, then 8080", () => {
    expect(resolvePort("9001", { PORT: "9002" })).toBe(9001);
    expect(resolvePort(undefined, { PORT: "9002" })).toBe(9002);
    expect(resolvePort(undefined, {})).toBe(8080);
  });

  it("rejects what is not a port, naming where it came from", () => {
    expect(() => resolvePort("http", {})).toThrow(new CliError('--port "http" is not a port. Use a number from 1 to 65535, e.g. --port 8080.'));
    expect(() => resolvePort(undefined, { PORT: "70000" })).toThrow(new CliError('PORT "70000" is not a port. Use a number from 1 to 65535, e.g. --port 8080.'));
  });
});

const CLI = "cli/bin/mcp-fleet.js";
const started: ChildProcess[] = [];
let treeOfDev: number[] = [];

afterAll(() => {
  // Whatever happened, leave nothing behind: the dev process and every process it started.
  for (const pid of treeOfDev) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  for (const child of started) child.kill("SIGKILL");
});

function waitForOutput(child: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output.text);
      if (match !== null) {
        cleanup();
        resolve(match);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`dev exited (${code}) before printing ${pattern}:\n${output.text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`dev did not print ${pattern} within ${timeoutMs} ms:\n${output.text}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.once("exit", onExit);
    check();
  });
}

function runHealth(url: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, "health", "--url", url], { timeout: 30_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout });
    });
  });
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

describe("mcp-fleet dev on a port in use", () => {
  it("exits 1 before starting anything, saying how to pick another port", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, "dev", "--port", String(port)], { timeout: 30_000 }, (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
        });
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`mcp-fleet: 127.0.0.1:${port} is already in use. Stop what listens there, or pick another port with --port or PORT.\n`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe("mcp-fleet dev with a stdio command that is not on PATH", () => {
  it("skips that server naming its command and the fix, instead of the child's ENOENT", async () => {
    const root = mkdtempSync(join(tmpdir(), "mcp-fleet-dev-ghost-"));
    try {
      mkdirSync(join(root, "servers"));
      writeFileSync(join(root, "package.json"), '{ "name": "mcp-fleet", "type": "module" }\n');
      const ghost = { name: "ghost", description: "x", owner: "platform", transport: { type: "stdio", command: "mcp-fleet-no-such-command" }, port: 3101 };
      writeFileSync(join(root, "servers", "ghost.ts"), `export default ${JSON.stringify(ghost)};\n`);
      const port = await freePort();
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(findRepoRoot(), CLI), "dev", "--port", String(port)], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
        });
      });
      const reason = 'its command "mcp-fleet-no-such-command" is not on PATH, so server "ghost" cannot start. Install it (or put it on PATH), or set `transport.command` in servers/ghost.ts to a command that is.';
      expect(result).toEqual({
        code: 1,
        stdout: "mcp-fleet dev: loading the catalog ...\n",
        stderr: `warning: skipping ghost (servers/ghost.ts): ${reason}\nmcp-fleet: No server of the catalog can run in the local gateway config. Skipped: ghost (servers/ghost.ts) ${reason} Add a server under servers/ (\`mcp-fleet new\`).\n`,
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("mcp-fleet dev (npm start)", () => {
  it("serves the whole catalog on 127.0.0.1, reports it, answers health, and stops every process on SIGTERM", async () => {
    // What the catalog says should run locally (the shipped catalog: five stdio servers).
    const catalog = await loadCatalog({ root: findRepoRoot() });
    const skipped = new Set(localSkips(catalog).map((s) => s.name));
    const expected = catalog.servers.filter((e) => !skipped.has(e.spec.name)).map((e) => e.spec.name).sort();
    expect(expected).toEqual(expect.arrayContaining(["everything", "filesystem", "hello", "memory", "sequential-thinking"]));

    const port = await freePort();
    const dev = spawn(process.execPath, [CLI, "dev", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    started.push(dev);
    const output = { text: "" };
    dev.stdout.setEncoding("utf8").on("data", (chunk: string) => (output.text += chunk));
    dev.stderr.setEncoding("utf8").on("data", (chunk: string) => (output.text += chunk));
    const exited = new Promise<number | null>((resolve) => dev.once("exit", (code) => resolve(code)));

    await waitForOutput(dev, output, /Press Ctrl-C to stop\./, 90_000);
    const endpoint = `http://127.0.0.1:${port}/mcp`;
    expect(output.text).toContain(`MCP endpoint: ${endpoint}\n`);
    expect(output.text).toContain(`  backends: ${expected.length} up, 0 down, 0 connecting\n`);
    expect(output.text).toContain(`Metrics: http://127.0.0.1:${port}/metrics`);
    // One table row per server of the catalog, with its transport, state and tool count.
    const rows = new Map([...output.text.matchAll(/^(\S+)\s+(stdio|http|sse)\s+(up|down|connecting)\s+(\d+)/gm)].map((m) => [m[1], { transport: m[2], state: m[3], tools: Number(m[4]) }]));
    expect([...rows.keys()].sort()).toEqual(expected);
    for (const row of rows.values()) expect(row.state).toBe("up");
    expect(rows.get("everything")).toMatchObject({ transport: "stdio" });
    expect(rows.get("memory")?.tools).toBe(9);
    expect(rows.get("filesystem")?.tools).toBe(14);
    expect(rows.get("sequential-thinking")?.tools).toBe(1);
    treeOfDev = treePids(dev.pid as number);
    expect(treeOfDev.length).toBeGreaterThanOrEqual(2 + expected.length); // dev, gateway, one process per server

    // A real MCP client sees every server's tools, as many as the table says, and can call one.
    const client = new Client({ name: "dev-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
    try {
      const { tools } = await client.listTools();
      for (const [name, row] of rows) expect(tools.filter((t) => t.name.startsWith(`${name}__`)).length).toBe(row.tools);
      const echoed = await client.callTool({ name: "everything__echo", arguments: { message: "from dev" } });
      expect(echoed.content).toEqual([{ type: "text", text: "Echo: from dev" }]);
    } finally {
      await client.close();
    }

    const health = await runHealth(`http://127.0.0.1:${port}`);
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`All ${expected.length} backends are up or connecting.`);

    dev.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output.text).toContain("SIGTERM: stopping the gateway and its servers ...\nStopped.\n");
    // The gateway and every backend it spawned are gone (bounded wait: the gateway drains before it exits).
    const deadline = Date.now() + 15_000;
    while (treeOfDev.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(treeOfDev.filter(alive)).toEqual([]);
  });
});
