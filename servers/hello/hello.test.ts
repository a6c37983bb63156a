import { request } from "node:http";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterEach, describe, expect, it } from "vitest";
import spec from "../hello.js";
import { resolveHttpOptions, serveHttp, type RunningHttpServer } from "./src/http.js";

const REPO_ROOT = join(import.meta.dirname, "..", "..");
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: "hello-test", version: "0.0.0" });
  cleanups.push(() => client.close());
  await client.connect(transport);
  return client;
}

/** The behaviour every transport must show. */
async function exercise(client: Client): Promise<void> {
  expect(client.getServerVersion()?.name).toBe("hello");
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(["add", "greet"]);

  const greeting = await client.callTool({ name: "greet", arguments: { name: "Ada" } });
  expect(greeting.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);

  const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3.5 } });
  expect(sum.structuredContent).toEqual({ sum: 5.5 });
  expect(sum.content).toEqual([{ type: "text", text: "5.5" }]);

  const invalid = await client.callTool({ name: "add", arguments: { a: "two", b: 3 } });
  expect(invalid.isError).toBe(true);

  const { resources } = await client.listResources();
  expect(resources.map((r) => r.uri)).toEqual(["hello://about"]);
  const about = await client.readResource({ uri: "hello://about" });
  expect(about.contents[0]).toMatchObject({ uri: "hello://about", mimeType: "text/plain" });

  const prompt = await client.getPrompt({ name: "greeting", arguments: { name: "Grace" } });
  expect(prompt.messages).toEqual([
    { role: "user", content: { type: "text", text: "Write a one-line friendly greeting for Grace." } },
  ]);
}

describe("hello server", () => {
  it("serves tools, a resource and a prompt over stdio, run exactly as its spec says", async () => {
    if (spec.transport.type !== "stdio") throw new Error("hello runs over stdio");
    const transport = new StdioClientTransport({
      command: spec.transport.command,
      args: spec.transport.args ?? [],
      cwd: REPO_ROOT,
      stderr: "pipe",
    });
    await expect(exercise(await connect(transport))).resolves.toBeUndefined();
  });

  it("serves the same over Streamable HTTP on 127.0.0.1", async () => {
    let server: RunningHttpServer | undefined = await serveHttp({ port: 0 });
    cleanups.push(async () => server?.close());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connect(new StreamableHTTPClientTransport(new URL(server.url)));
    await exercise(client);

    const health = await fetch(new URL("/healthz", server.url));
    expect(health.status).toBe(200);
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const target = new URL("/healthz", server?.url);
      request(target, { headers: { host: `attacker.example:${target.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end();
    });
    expect(rebound).toBe(403);
    const stray = await fetch(server.url, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(stray.status).toBe(400);

    await client.close();
    await server.close();
    server = undefined;
  });

  it("listens on loopback and the spec's port unless told otherwise", () => {
    expect(resolveHttpOptions({}, {})).toEqual({ host: "127.0.0.1", port: spec.port, path: "/mcp" });
    expect(resolveHttpOptions({}, { HOST: "0.0.0.0", PORT: "8080" })).toEqual({
      host: "0.0.0.0",
      port: 8080,
      path: "/mcp",
    });
  });
});
