/**
 * `mcp-fleet tools` and `mcp-fleet call` against `npm start`'s gateway (the real `mcp-fleet dev`, in a copy of the
 * repository whose everything spec hides some tools), and `tools` without a gateway.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/gateway/targets.js";
import { startDevFleet, type DevFleet } from "./dev-fleet.test-helper.js";
import { copyRepo, runCli } from "./run-cli.test-helper.js";
import type { ToolsReport } from "./tools.js";

let copy = "";
let fleet: DevFleet | undefined;
let client: Client | undefined;
let gatewayTools: Tool[] = [];
/** Not set in the CLI's environment unless a test sets them. */
const CLEAN_ENV = { MCP_FLEET_URL: undefined, MCP_FLEET_TOKEN: undefined, PORT: undefined };

beforeAll(async () => {
  copy = await copyRepo("mcp-fleet-tools-");
  const spec = join(copy, "servers", "everything.ts");
  const text = await readFile(spec, "utf8");
  await writeFile(spec, text.replace("  port: 3101,", '  port: 3101,\n  tools: { allow: [], deny: ["get-env", "toggle-*"] },'));
  fleet = await startDevFleet(copy);
  client = new Client({ name: "tools-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(fleet.endpoint)));
  gatewayTools = (await client.listTools()).tools;
}, 120_000);

afterAll(async () => {
  await client?.close();
  await fleet?.stop();
  if (copy) await rm(copy, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: copy, root: copy, env: { ...CLEAN_ENV, ...env }, timeoutMs: 90_000 });
const gateway = () => ["--url", fleet!.endpoint];

describe("mcp-fleet tools", () => {
  it("--json lists the gateway's tools with their servers, and the tools the spec's filter hides", async () => {
    const run = await cli(["tools", "--json", ...gateway()]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ToolsReport;
    expect(report.source).toBe("gateway");
    expect(report.url).toBe(fleet!.endpoint);
    expect(report.unavailable).toEqual([]);
    const exposed = report.tools.filter((t) => t.exposed).map((t) => t.name);
    expect(exposed.sort()).toEqual(gatewayTools.map((t) => t.name).sort());
    const hidden = report.tools.filter((t) => t.hidden).map((t) => [t.name, t.server, t.tool]);
    expect(hidden.sort()).toEqual([
      ["everything__get-env", "everything", "get-env"],
      ["everything__toggle-simulated-logging", "everything", "toggle-simulated-logging"],
      ["everything__toggle-subscriber-updates", "everything", "toggle-subscriber-updates"],
    ]);
    expect(report.tools.find((t) => t.name === "everything__echo")).toEqual({ name: "everything__echo", server: "everything", tool: "echo", description: "Echoes back the input string", hidden: false, exposed: true });
    expect(report.tools.find((t) => t.name === "hello__greet")).toEqual({ name: "hello__greet", server: "hello", description: "Greets someone by name.", hidden: false, exposed: true });
    for (const row of report.tools) expect(row.server).toBe(row.name.split("__")[0]);
  });

  it("prints a table from the gateway named by $MCP_FLEET_URL, one server when asked", async () => {
    const run = await cli(["tools", "everything"], { MCP_FLEET_URL: fleet!.endpoint });
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`Tools of the gateway at ${fleet!.endpoint}:`);
    expect(lines[2]).toMatch(/^TOOL\s+SERVER\s+EXPOSED\s+DESCRIPTION$/);
    expect(run.stdout).toMatch(/^everything__echo\s+everything\s+yes\s+Echoes back the input string$/m);
    expect(run.stdout).toMatch(/^everything__get-env\s+everything\s+hidden\s+Returns all environment variables/m);
    expect(run.stdout).not.toContain("hello__");
    const visible = gatewayTools.filter((t) => t.name.startsWith("everything__")).length;
    expect(run.stdout).toContain(`\n${visible} tools exposed, 3 hidden by tool filters.\n`);
  });

  it("--exposed-only starts no server and shows no hidden tool", async () => {
    const run = await cli(["tools", "--json", "--exposed-only", ...gateway()]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ToolsReport;
    expect(report.tools.filter((t) => t.hidden)).toEqual([]);
    expect(report.tools.map((t) => t.name).sort()).toEqual(gatewayTools.map((t) => t.name).sort());
  });

  it("without a gateway, lists the servers themselves under exactly the names the gateway exposes", async () => {
    const idle = await freePort();
    const run = await cli(["tools", "--json"], { PORT: String(idle) });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ToolsReport;
    expect(report.source).toBe("servers");
    expect(report.url).toBe(`http://127.0.0.1:${idle}/mcp`);
    expect(report.tools.filter((t) => t.exposed).map((t) => t.name).sort()).toEqual(gatewayTools.map((t) => t.name).sort());
    expect(report.tools.filter((t) => t.hidden).map((t) => t.name).sort()).toEqual(["everything__get-env", "everything__toggle-simulated-logging", "everything__toggle-subscriber-updates"]);
    const table = await cli(["tools", "sequential-thinking"], { PORT: String(idle) });
    expect(table.stdout.split("\n")[0]).toBe(`No gateway answers at http://127.0.0.1:${idle}/mcp; tools from the servers themselves, under the names the gateway would expose:`);
    expect(table.stdout).toContain("\n1 tool would be exposed, 0 hidden by tool filters.\n");
  });

  it("fails on an unknown server, naming the catalog's servers", async () => {
    const run = await cli(["tools", "nope", ...gateway()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('mcp-fleet: no server "nope" in the catalog. Servers: everything, filesystem, hello, memory, sequential-thinking.\n');
  });

  it("fails when the gateway named by --url cannot be reached", async () => {
    const idle = await freePort();
    const run = await cli(["tools", "--url", `http://127.0.0.1:${idle}/mcp`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: cannot reach the gateway at http://127.0.0.1:${idle}/mcp (ECONNREFUSED). Start it with \`npm start\`, or pass its address with --url.\n`);
  });
});

describe.concurrent("mcp-fleet call", () => {
  it("prints a text result, reading key=value by the tool's schema", async () => {
    const run = await cli(["call", "everything__get-sum", "a=2", "b=3", ...gateway()]);
    expect(run).toEqual({ code: 0, stdout: "The sum of 2 and 3 is 5.\n", stderr: "" });
  });

  it("takes --args JSON", async () => {
    const run = await cli(["call", "everything__echo", "--args", '{"message":"hi there"}', ...gateway()]);
    expect(run).toEqual({ code: 0, stdout: "Echo: hi there\n", stderr: "" });
  });

  it("prints structured content as JSON", async () => {
    const run = await cli(["call", "hello__add", "a=1", "b=2", ...gateway()]);
    expect(run).toEqual({ code: 0, stdout: '3\nstructured content:\n{\n  "sum": 3\n}\n', stderr: "" });
  });

  it("notes an image with its MIME type and size", async () => {
    const direct = (await client!.callTool({ name: "everything__get-tiny-image", arguments: {} })) as CallToolResult;
    const image = direct.content.find((c) => c.type === "image");
    const size = Buffer.from(image!.data, "base64").length;
    const run = await cli(["call", "everything__get-tiny-image", ...gateway()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`\n[image: image/png, ${size.toLocaleString("en-US")} bytes]\n`);
  });

  it("--json prints the whole result, as the SDK client gets it", async () => {
    const run = await cli(["call", "hello__add", "--json", "a=4", "b=5", ...gateway()]);
    expect(run.code).toBe(0);
    const direct = await client!.callTool({ name: "hello__add", arguments: { a: 4, b: 5 } });
    expect(JSON.parse(run.stdout)).toEqual(direct);
  });

  it("shows the tool's progress as plain lines on stderr when piped", async () => {
    const run = await cli(["call", "everything__trigger-long-running-operation", "duration=1", "steps=3", ...gateway()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("Long running operation completed. Duration: 1 seconds, Steps: 3.\n");
    // The SDK client may drop the last notification of a call (it arrives with the response); the first two are sure.
    expect(run.stderr).toMatch(/^progress 1\/3 \(33%\)\nprogress 2\/3 \(67%\)\n(progress 3\/3 \(100%\)\n)?$/);
  });

  it("exits 1 on a tool error and prints it", async () => {
    const run = await cli(["call", "hello__greet", "name=", ...gateway()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "hello__greet returned a tool error:\nMCP error -32602: Input validation error: Invalid arguments for tool greet: Too small: expected string to have >=1 characters at name\n",
    );
  });

  it("exits 1 on an unknown tool with the gateway's message; a hidden tool gets the same", async () => {
    const unknown = await cli(["call", "nope__x", ...gateway()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('mcp-fleet: the gateway refused the call of nope__x: MCP error -32602: Unknown tool: "nope__x". Call tools/list for the tools this gateway exposes.\n');
    const hidden = await cli(["call", "everything__get-env", ...gateway()]);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toBe('mcp-fleet: the gateway refused the call of everything__get-env: MCP error -32602: Unknown tool: "everything__get-env". Call tools/list for the tools this gateway exposes.\n');
  });
});

describe("mcp-fleet call against a gateway that authenticates", () => {
  let server: Server | undefined;
  const seen: IncomingHttpHeaders[] = [];
  let url = "";

  beforeAll(async () => {
    // Stands in for an authenticating gateway: 401 with the RFC 9728 challenge to every request.
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource/mcp"', "Content-Type": "application/json" });
      res.end('{"error":"invalid_token"}');
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  });

  it("sends $MCP_FLEET_TOKEN as a bearer token, and never prints it", async () => {
    const token = "tok-3f1c9a7e-do-not-print";
    const run = await cli(["call", "everything__echo", "message=x", "--url", url], { MCP_FLEET_TOKEN: token });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: the gateway at ${url} refused the credentials in $MCP_FLEET_TOKEN (HTTP 401). Check that the token or API key is valid for this gateway.\n`);
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${token}`);
  });

  it("says how to authenticate when no token is set", async () => {
    const run = await cli(["tools", "--url", url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: the gateway at ${url} requires authentication (HTTP 401). Set $MCP_FLEET_TOKEN to an access token or API key; it is sent as \`Authorization: Bearer ...\`.\n`);
    expect(seen.at(-1)?.authorization).toBeUndefined();
  });
});
