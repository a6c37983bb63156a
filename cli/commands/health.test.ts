import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

const CLI = "cli/bin/mcp-fleet.js";

function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

/** A stand-in for the gateway's admin endpoint: answers `/status` with a fixed body. */
async function statusServer(body: unknown, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === "/status") res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const up = { name: "everything", transport: "stdio", state: "up", tools: 13 };
const down = { name: "memory", transport: "stdio", state: "down", tools: 0, lastError: "process exited with code 1" };

describe("mcp-fleet health", () => {
  it("prints a table of every backend and exits 0 when none is down", async () => {
    const { url, server } = await statusServer({ servers: [up, { name: "remote", transport: "http", state: "connecting", tools: 0 }] });
    servers.push(server);
    const result = await runCli(["health", "--url", `${url}/mcp`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "SERVER      TRANSPORT  STATE       TOOLS  LAST ERROR",
        "everything  stdio      up             13",
        "remote      http       connecting      0",
        "",
        "All 2 backends are up or connecting.",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 and names the backends that are down", async () => {
    const { url, server } = await statusServer({ servers: [up, down] });
    servers.push(server);
    const result = await runCli(["health", "--url", url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("memory      stdio      down       0  process exited with code 1");
    expect(result.stdout).toContain("1 of 2 backends down: memory.");
  });

  it("prints JSON with --json, reading the port from PORT", async () => {
    const { url, server } = await statusServer({ servers: [down] });
    servers.push(server);
    const result = await runCli(["health", "--json"], { ...process.env, PORT: new URL(url).port });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ healthy: false, servers: [down] });
  });

  it("exits 1 with a clear message when the gateway is unreachable", async () => {
    const port = await deadPort();
    const result = await runCli(["health", "--url", `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `mcp-fleet: cannot reach the gateway at http://127.0.0.1:${port}/status (ECONNREFUSED). Start it with \`npm start\`, or pass its address with --url.\n`,
    );
  });

  it("exits 1 when the gateway answers an error", async () => {
    const { url, server } = await statusServer({ error: "boom" }, 500);
    servers.push(server);
    const result = await runCli(["health", "--url", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`mcp-fleet: the gateway at ${url}/status answered HTTP 500: {"error":"boom"}\n`);
  });
});

describe("mcp-fleet health on a terminal", () => {
  it("colours the states and marks the verdict when colour is on, and is plain with NO_COLOR", async () => {
    const { url, server } = await statusServer({ servers: [up, down] });
    servers.push(server);
    const coloured = await runCli(["health", "--url", url], { ...process.env, NO_COLOR: "", FORCE_COLOR: "1" });
    expect(coloured.stdout).toContain("everything  stdio      \u001b[32mup\u001b[39m        13");
    expect(coloured.stdout).toContain("memory      stdio      \u001b[31mdown\u001b[39m       0  process exited with code 1");
    expect(coloured.stdout).toContain("\u001b[31m✗\u001b[39m 1 of 2 backends down: memory.\n");
    const plain = await runCli(["health", "--url", url], { ...process.env, NO_COLOR: "1", FORCE_COLOR: "1" });
    expect(plain.stdout).not.toContain("\u001b[");
    expect(plain.stdout).toContain("\n1 of 2 backends down: memory.\n");
  });
});
