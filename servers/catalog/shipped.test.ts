import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { findServer, loadCatalog, type Catalog } from "./catalog.js";

/** Tools each shipped server must list when started exactly as its spec says. */
const EXPECTED_TOOLS: Record<string, number> = {
  everything: 13,
  memory: 9,
  filesystem: 14,
  "sequential-thinking": 1,
  hello: 2,
};

const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

async function start(catalog: Catalog, name: string): Promise<Client> {
  const spec = findServer(catalog, name)?.spec;
  if (spec?.transport.type !== "stdio") throw new Error(`${name} is not a stdio server`);
  const client = new Client({ name: "shipped-test", version: "0.0.0" });
  clients.push(client);
  await client.connect(
    new StdioClientTransport({
      command: spec.transport.command,
      args: spec.transport.args,
      env: { PATH: process.env.PATH ?? "", ...spec.env, ...spec.transport.env },
      cwd: catalog.root,
      stderr: "pipe",
    }),
  );
  return client;
}

describe("the shipped servers start from their specs", () => {
  it.each(Object.entries(EXPECTED_TOOLS))("%s lists %i tools", async (name, count) => {
    const client = await start(await loadCatalog(), name);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(count);
  });

  it("filesystem is scoped to servers/data/filesystem", async () => {
    const catalog = await loadCatalog();
    const client = await start(catalog, "filesystem");
    const result = await client.callTool({ name: "list_allowed_directories", arguments: {} });
    expect(result.content).toEqual([
      { type: "text", text: `Allowed directories:\n${catalog.root}/servers/data/filesystem` },
    ]);
    const welcome = await client.callTool({
      name: "read_text_file",
      arguments: { path: `${catalog.root}/servers/data/filesystem/notes/welcome.txt` },
    });
    expect(JSON.stringify(welcome.content)).toContain("Welcome to mcp-fleet.");
  });
});
