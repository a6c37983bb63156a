/**
 * `mcp-fleet connect`: every client's output parsed as that client's format and used for real against `npm start`'s
 * gateway (Claude Desktop's entry runs the mcp-remote bridge it names; the HTTP clients' URL and headers reach the
 * gateway with the SDK client), the auth probe against gateways that answer 401, and `--write` merges.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parse as parseJsonc } from "jsonc-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFile, type ClientId } from "../connect/clients.js";
import { startDevFleet, type DevFleet } from "./dev-fleet.test-helper.js";
import { REPO_ROOT, runCli } from "./run-cli.test-helper.js";

const SECRET = "k3y-v4lue-that-must-never-be-written";
/** The CLI runs with a key in its environment: nothing may print or write its value. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { MCP_FLEET_URL: undefined, MCP_FLEET_API_KEY: SECRET, ...env }, timeoutMs: 60_000 });

let fleet: DevFleet | undefined;
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcp-fleet-connect-"));
  fleet = await startDevFleet();
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Entry = { type?: string; url?: string; headers?: Record<string, string>; command?: string; args?: string[] };
const entryOf = (stdout: string, rootKey = "mcpServers") => (JSON.parse(stdout) as Record<string, Record<string, Entry>>)[rootKey]?.["mcp-fleet"];

/** Lists the gateway's tools through an HTTP entry, headers expanded the way the client would. */
async function listThroughHttpEntry(entry: Entry, expand: (value: string) => string): Promise<number> {
  const headers = Object.fromEntries(Object.entries(entry.headers ?? {}).map(([k, v]) => [k, expand(v)]));
  const client = new Client({ name: "connect-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url!), { requestInit: { headers } }));
  try {
    return (await client.listTools()).tools.length;
  } finally {
    await client.close();
  }
}

describe("mcp-fleet connect, against the running gateway", () => {
  it("probes the gateway (no auth on loopback) and each HTTP client's entry reaches it", async () => {
    const expected = await listThroughHttpEntry({ url: fleet!.endpoint }, (v) => v);
    const cases: [ClientId, string, string | undefined][] = [
      ["claude-code", "mcpServers", "http"],
      ["vscode", "servers", "http"],
      ["cursor", "mcpServers", undefined],
      ["json", "mcpServers", "http"],
    ];
    for (const [client, rootKey, type] of cases) {
      const run = await cli(["connect", client, "--url", fleet!.endpoint]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`auth none: ${fleet!.endpoint} answered HTTP 400 without credentials (set --auth to choose)\n`);
      const entry = entryOf(run.stdout, rootKey);
      expect(entry).toEqual({ ...(type !== undefined ? { type } : {}), url: fleet!.endpoint });
      expect(await listThroughHttpEntry(entry!, (v) => v)).toBe(expected);
    }
  });

  it("claude-desktop: the mcp-remote bridge it names serves the gateway's tools over stdio", { timeout: 90_000 }, async () => {
    const run = await cli(["connect", "claude-desktop", "--url", fleet!.endpoint]);
    expect(run.code).toBe(0);
    const entry = entryOf(run.stdout)!;
    expect(entry).toEqual({ command: "npx", args: ["-y", "mcp-remote@0.15.1", fleet!.endpoint] });
    // Exactly what Claude Desktop would spawn (npx finds the pinned mcp-remote among this repository's packages).
    const client = new Client({ name: "claude-desktop-stand-in", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: entry.command!, args: entry.args!, cwd: REPO_ROOT, env: { MCP_REMOTE_CONFIG_DIR: join(dir, "mcp-auth") }, stderr: "ignore" }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("everything__echo");
      expect(await client.callTool({ name: "hello__greet", arguments: { name: "Desktop" } })).toMatchObject({ content: [{ type: "text", text: "Hello, Desktop!" }] });
    } finally {
      await client.close();
    }
  });
});

describe("mcp-fleet connect with an API key", () => {
  let server: Server | undefined;
  let url = "";
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    // A gateway that wants a bearer credential and offers no OAuth metadata.
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Bearer error="invalid_token"' }).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  });

  it("a 401 without OAuth metadata means api-key; each client references the variable in its own syntax", async () => {
    const refs: Record<ClientId, string> = {
      "claude-desktop": "Authorization:Bearer ${MCP_FLEET_API_KEY}",
      "claude-code": "Bearer ${MCP_FLEET_API_KEY}",
      vscode: "Bearer ${env:MCP_FLEET_API_KEY}",
      cursor: "Bearer ${env:MCP_FLEET_API_KEY}",
      json: "Bearer ${MCP_FLEET_API_KEY}",
    };
    for (const client of Object.keys(refs) as ClientId[]) {
      const run = await cli(["connect", client, "--url", url]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`auth api-key: ${url} answered 401 without OAuth metadata (set --auth to choose)\n`);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
      const entry = entryOf(run.stdout, client === "vscode" ? "servers" : "mcpServers")!;
      // Claude Desktop's bridge takes the header as an argument; the HTTP clients as a header map.
      const reference = client === "claude-desktop" ? entry.args?.slice(3) : ["--header", `Authorization:${entry.headers?.Authorization}`];
      expect(reference).toEqual(["--header", client === "claude-desktop" ? refs[client] : `Authorization:${refs[client]}`]);
    }
    expect(seen.every((h) => h.authorization === undefined)).toBe(true);
  });

  it("--api-key-env names another variable; a bad name is refused", async () => {
    const run = await cli(["connect", "cursor", "--url", url, "--auth", "api-key", "--api-key-env", "TEAM_MCP_KEY"]);
    expect(entryOf(run.stdout)?.headers).toEqual({ Authorization: "Bearer ${env:TEAM_MCP_KEY}" });
    const bad = await cli(["connect", "cursor", "--auth", "api-key", "--api-key-env", "1-bad"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('mcp-fleet: --api-key-env "1-bad" is not an environment variable name. Use letters, digits and _, e.g. MCP_FLEET_API_KEY.\n');
  });

  it("claude-code --command prints a claude mcp add line that keeps ${VAR} from the shell", async () => {
    const run = await cli(["connect", "claude-code", "--url", url, "--auth", "api-key", "--command"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`claude mcp add --transport http --scope project --header 'Authorization: Bearer \${MCP_FLEET_API_KEY}' mcp-fleet ${url}\n`);
    // What a POSIX shell hands to `claude`: the single quotes keep ${...} for Claude Code to expand.
    const { execFileSync } = await import("node:child_process");
    const argv = execFileSync("sh", ["-c", `printf '%s\\n' ${run.stdout.trim().split(" ").slice(1).join(" ")}`], { encoding: "utf8" }).trimEnd().split("\n");
    expect(argv).toEqual(["mcp", "add", "--transport", "http", "--scope", "project", "--header", "Authorization: Bearer ${MCP_FLEET_API_KEY}", "mcp-fleet", url]);
  });

  it("mcp-remote sends the key from the variable it references, as a bearer token", { timeout: 60_000 }, async () => {
    const run = await cli(["connect", "claude-desktop", "--url", url, "--auth", "api-key"]);
    const entry = entryOf(run.stdout)!;
    const client = new Client({ name: "claude-desktop-stand-in", version: "1.0.0" });
    const before = seen.length;
    const connecting = client.connect(new StdioClientTransport({ command: entry.command!, args: entry.args!, cwd: REPO_ROOT, env: { MCP_FLEET_API_KEY: SECRET, MCP_REMOTE_CONFIG_DIR: join(dir, "mcp-auth") }, stderr: "ignore" }));
    await connecting.catch(() => undefined);
    await client.close().catch(() => undefined);
    expect(seen.slice(before).some((h) => h.authorization === `Bearer ${SECRET}`)).toBe(true);
  });
});

describe("mcp-fleet connect with OAuth", () => {
  let server: Server | undefined;
  let url = "";

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": `Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource/mcp"` }).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  });

  it("a 401 with RFC 9728 metadata means oauth: the entry carries no credential", async () => {
    const run = await cli(["connect", "vscode", "--url", url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`auth oauth: ${url} answered 401 with OAuth protected resource metadata at http://127.0.0.1/.well-known/oauth-protected-resource/mcp (set --auth to choose)\n`);
    expect(entryOf(run.stdout, "servers")).toEqual({ type: "http", url });
  });
});

describe("mcp-fleet connect --write", () => {
  it("merges into an existing file, keeping other entries and comments, after a diff, with a backup", async () => {
    const file = join(dir, "vscode", "mcp.json");
    const before = '{\n  // my servers\n  "servers": {\n    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }\n  },\n  "inputs": []\n}\n';
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "vscode"), { recursive: true }));
    await writeFile(file, before);
    const run = await cli(["connect", "vscode", "--write", "--file", file, "--url", "https://mcp.example.com/mcp", "--auth", "api-key"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`--- ${file}\tbefore\n+++ ${file}\tafter\n`);
    expect(run.stdout).toContain('+    "mcp-fleet": {\n');
    expect(run.stdout).toContain('+        "Authorization": "Bearer ${env:MCP_FLEET_API_KEY}"\n');
    const after = await readFile(file, "utf8");
    expect(after).toContain("// my servers");
    expect(parseJsonc(after)).toEqual({
      servers: {
        github: { type: "http", url: "https://api.githubcopilot.com/mcp/" },
        "mcp-fleet": { type: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${env:MCP_FLEET_API_KEY}" } },
      },
      inputs: [],
    });
    const backups = (await readdir(join(dir, "vscode"))).filter((f) => f.endsWith(".bak"));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, "vscode", backups[0]!), "utf8")).toBe(before);
    expect(run.stdout).toContain(`Wrote ${file} (the old file is in ${join(dir, "vscode", backups[0]!)}).\n`);
    expect(after + run.stdout + run.stderr).not.toContain(SECRET);

    const again = await cli(["connect", "vscode", "--write", "--file", file, "--url", "https://mcp.example.com/mcp", "--auth", "api-key"]);
    expect(again.stdout).toBe(`${file} already has this "mcp-fleet" entry; nothing changed.\n`);
  });

  it("creates a missing file (and its folder) holding only the entry", async () => {
    const file = join(dir, "new", ".cursor", "mcp.json");
    const run = await cli(["connect", "cursor", "--write", "--file", file, "--auth", "none"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ mcpServers: { "mcp-fleet": { url: "http://127.0.0.1:8080/mcp" } } });
    expect(run.stdout).toContain(`Wrote ${file}.\n`);
  });

  it("refuses a file that is not JSON, naming it and the line, and leaves it alone", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, '{\n  "mcpServers": {\n    "a": \n}\n');
    const run = await cli(["connect", "claude-desktop", "--write", "--file", file, "--auth", "none"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mcp-fleet: ${file} is not valid JSON (ValueExpected at line 4). Fix it, or pass --file to write another file.\n`);
    expect(await readFile(file, "utf8")).toBe('{\n  "mcpServers": {\n    "a": \n}\n');
  });

  it("has no default file for the generic format or Claude Code's user scope", async () => {
    const generic = await cli(["connect", "json", "--write", "--auth", "none"]);
    expect(generic.code).toBe(1);
    expect(generic.stderr).toBe("mcp-fleet: nothing to write for json with --scope user: the generic format has no file of its own; pass --file PATH.\n");
    const user = await cli(["connect", "claude-code", "--write", "--scope", "user", "--auth", "none"]);
    expect(user.code).toBe(1);
    expect(user.stderr).toContain("Claude Code keeps user-scope servers in ~/.claude.json with its own state");
  });

  it("refuses an unknown client, naming the known ones", async () => {
    const run = await cli(["connect", "chatgpt"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("mcp-fleet: unknown client \"chatgpt\". Use one of: claude-desktop, claude-code, vscode, cursor, json.\n");
  });
});

describe("configFile", () => {
  const ctx = (platform: NodeJS.Platform, env: Record<string, string> = {}) => ({ platform, home: platform === "win32" ? "C:\\Users\\ada" : "/home/ada", cwd: "/work/app", env });

  it("knows each client's file per OS and scope", () => {
    expect(configFile("claude-desktop", "user", ctx("darwin"))).toEqual({ file: "/home/ada/Library/Application Support/Claude/claude_desktop_config.json" });
    expect(configFile("claude-desktop", "user", ctx("win32", { APPDATA: "C:\\Users\\ada\\AppData\\Roaming" }))).toEqual({ file: "C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json" });
    expect(configFile("claude-desktop", "user", ctx("linux", { XDG_CONFIG_HOME: "/home/ada/.cfg" }))).toEqual({ file: "/home/ada/.cfg/Claude/claude_desktop_config.json" });
    expect(configFile("claude-code", "project", ctx("linux"))).toEqual({ file: "/work/app/.mcp.json" });
    expect(configFile("vscode", "user", ctx("darwin"))).toEqual({ file: "/home/ada/Library/Application Support/Code/User/mcp.json" });
    expect(configFile("vscode", "user", ctx("linux"))).toEqual({ file: "/home/ada/.config/Code/User/mcp.json" });
    expect(configFile("vscode", "project", ctx("linux"))).toEqual({ file: "/work/app/.vscode/mcp.json" });
    expect(configFile("cursor", "user", ctx("win32"))).toEqual({ file: "C:\\Users\\ada\\.cursor\\mcp.json" });
    expect(configFile("cursor", "project", ctx("linux"))).toEqual({ file: "/work/app/.cursor/mcp.json" });
  });
});
