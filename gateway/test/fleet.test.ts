/**
 * The reference servers through the gateway, each over stdio: prefixed lists, one call per server, a resource read
 * and a prompt, with the real SDK client.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RunningGateway } from "../src/gateway.js";
import { EVERYTHING, FILESYSTEM, MEMORY, THINKING, connect, gateway, tempDir, textOf } from "./helpers.js";

let gw: RunningGateway;
let client: Client;
let files: string;

beforeAll(async () => {
  files = tempDir("fs");
  writeFileSync(join(files, "hello.txt"), "hello from the filesystem server\n");
  const memoryFile = join(tempDir("memory"), "memory.jsonl");
  gw = await gateway({
    servers: [
      { name: "everything", transport: "stdio", command: "node", args: [EVERYTHING, "stdio"] },
      { name: "memory", transport: "stdio", command: "node", args: [MEMORY], env: { MEMORY_FILE_PATH: memoryFile } },
      { name: "filesystem", transport: "stdio", command: "node", args: [FILESYSTEM, files] },
      { name: "sequential-thinking", transport: "stdio", command: "node", args: [THINKING] },
    ],
  });
  client = await connect(gw.url);
});

afterAll(async () => {
  await client?.close();
  await gw?.close();
});

function countBy(names: string[], server: string): number {
  return names.filter((n) => n.startsWith(`${server}__`)).length;
}

describe("four reference servers behind one endpoint", () => {
  it("lists every server's tools under <server>__<tool>", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    // server-everything: 13 tools for any client, plus 3 it registers because the gateway declares
    // sampling, elicitation and roots toward it (trigger-sampling-request, trigger-elicitation-request, get-roots-list).
    expect(countBy(names, "everything")).toBe(16);
    expect(names).toEqual(expect.arrayContaining(["everything__echo", "everything__trigger-sampling-request", "everything__trigger-elicitation-request", "everything__get-roots-list"]));
    expect(countBy(names, "memory")).toBe(9);
    expect(countBy(names, "filesystem")).toBe(14);
    expect(countBy(names, "sequential-thinking")).toBe(1);
    expect(names).toHaveLength(16 + 9 + 14 + 1);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it("calls one tool on each server", async () => {
    expect(textOf(await client.callTool({ name: "everything__echo", arguments: { message: "hi" } }))).toBe("Echo: hi");
    const created = await client.callTool({ name: "memory__create_entities", arguments: { entities: [{ name: "gateway", entityType: "service", observations: ["routes calls"] }] } });
    expect(textOf(created)).toContain("gateway");
    const read = await client.callTool({ name: "filesystem__read_text_file", arguments: { path: join(files, "hello.txt") } });
    expect(textOf(read)).toContain("hello from the filesystem server");
    const thought = await client.callTool({
      name: "sequential-thinking__sequentialthinking",
      arguments: { thought: "one", thoughtNumber: 1, totalThoughts: 1, nextThoughtNeeded: false },
    });
    expect(JSON.parse(textOf(thought))).toMatchObject({ thoughtNumber: 1, totalThoughts: 1 });
  });

  it("reads a resource by its own URI and gets a prompt by its prefixed name", async () => {
    const { resources } = await client.listResources();
    const doc = resources.find((r) => r.uri.startsWith("demo://resource/static/document/"));
    expect(doc).toBeDefined();
    const read = await client.readResource({ uri: doc!.uri });
    expect(read.contents[0]!.uri).toBe(doc!.uri);
    const templated = await client.readResource({ uri: "demo://resource/dynamic/text/7" });
    expect(templated.contents[0]!.uri).toBe("demo://resource/dynamic/text/7");
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain("everything__simple-prompt");
    const prompt = await client.getPrompt({ name: "everything__args-prompt", arguments: { city: "Paris" } });
    expect(JSON.stringify(prompt.messages)).toContain("Paris");
  });

  it("routes completion/complete by prompt name", async () => {
    const byPrompt = await client.complete({ ref: { type: "ref/prompt", name: "everything__completable-prompt" }, argument: { name: "department", value: "En" } });
    expect(byPrompt.completion.values).toContain("Engineering");
    await expect(client.complete({ ref: { type: "ref/prompt", name: "nope__x" }, argument: { name: "a", value: "" } })).rejects.toThrow('Unknown prompt: "nope__x"');
  });

  it("answers unknown tools, prompts and resources with errors naming them", async () => {
    await expect(client.callTool({ name: "nope__missing", arguments: {} })).rejects.toThrow('Unknown tool: "nope__missing"');
    await expect(client.getPrompt({ name: "everything__nope" })).rejects.toThrow('Unknown prompt: "everything__nope"');
    await expect(client.readResource({ uri: "nowhere://x" })).rejects.toThrow('Unknown resource: "nowhere://x"');
  });

  it("reports every backend up with its tool count on /status and /readyz", async () => {
    const base = new URL(gw.url).origin;
    const status = (await (await fetch(`${base}/status`)).json()) as { servers: { name: string; state: string; tools: number }[] };
    expect(status.servers.map((s) => [s.name, s.state, s.tools])).toEqual([
      ["everything", "up", 16],
      ["memory", "up", 9],
      ["filesystem", "up", 14],
      ["sequential-thinking", "up", 1],
    ]);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
