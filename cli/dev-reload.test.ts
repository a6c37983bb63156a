/**
 * `mcp-fleet dev` on a catalog of its own (a temp repository root): a server file added while it runs (as
 * `mcp-fleet new` adds one) appears in the running gateway, re-rendered in a fresh process, without a restart, and
 * the client's session goes on; SIGTERM then stops everything.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../bench/gateway/targets.js";
import { findRepoRoot } from "../servers/catalog/catalog.js";

const REPO = findRepoRoot();
const FIXTURE = join(REPO, "gateway/test/fixtures/resilience-server.mjs");
const root = mkdtempSync(join(tmpdir(), "mcp-fleet-dev-reload-"));
const spec = (name: string, port: number) =>
  `export default ${JSON.stringify({ name, description: `${name} server`, owner: "platform", transport: { type: "stdio", command: "node", args: [FIXTURE], env: { RESILIENCE_TRACK: name } }, port })};\n`;

let dev: ReturnType<typeof spawn> | undefined;
afterAll(() => {
  dev?.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("mcp-fleet dev reloads the catalog", () => {
  it("serves a server file added while it runs, in the same client session", async () => {
    mkdirSync(join(root, "servers"));
    writeFileSync(join(root, "package.json"), '{ "name": "mcp-fleet", "type": "module" }\n');
    symlinkSync(join(REPO, "gateway"), join(root, "gateway")); // the gateway the CLI runs, as in a checkout
    writeFileSync(join(root, "servers", "one.ts"), spec("one", 3101));
    const port = await freePort();
    dev = spawn(process.execPath, [join(REPO, "cli/bin/mcp-fleet.js"), "dev", "--port", String(port)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    dev.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
    dev.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
    const exited = new Promise<number | null>((resolve) => dev!.once("exit", (code) => resolve(code)));
    const until = async (what: string, check: () => boolean | Promise<boolean>, tries = 300) => {
      for (let i = 0; i < tries; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}:\n${output}`);
    };
    await until("dev to be ready", () => output.includes("Press Ctrl-C to stop."));
    const client = new Client({ name: "dev-reload-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    const sessionId = (client.transport as { sessionId?: string }).sessionId;
    const whoTools = async () => (await client.listTools()).tools.map((t) => t.name).filter((n) => n.endsWith("__who")).sort();
    expect(await whoTools()).toEqual(["one__who"]);

    writeFileSync(join(root, "servers", "two.ts"), spec("two", 3102));
    await until("the change to be applied", () => output.includes("catalog changed: added two; the gateway reloads its config (sessions stay)."));
    await until("two's tools", async () => (await whoTools()).join() === "one__who,two__who");
    const answer = await client.callTool({ name: "two__who", arguments: {} });
    expect(JSON.parse((answer.content as { text: string }[])[0]!.text)).toMatchObject({ track: "two" });
    expect((client.transport as { sessionId?: string }).sessionId).toBe(sessionId);
    await client.close();

    dev.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
