import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.test-helper.js";

const SHIPPED = [
  { name: "everything", transport: "stdio", port: 3101, owner: "platform", file: "servers/everything.ts" },
  { name: "filesystem", transport: "stdio", port: 3103, owner: "platform", file: "servers/filesystem.ts" },
  { name: "hello", transport: "stdio", port: 3105, owner: "platform", file: "servers/hello.ts" },
  { name: "memory", transport: "stdio", port: 3102, owner: "agents", file: "servers/memory.ts" },
  {
    name: "sequential-thinking",
    transport: "stdio",
    port: 3104,
    owner: "agents",
    file: "servers/sequential-thinking.ts",
  },
];

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("mcp-fleet list", () => {
  it("--json prints every shipped server with name, transport, port, owner, description and file", async () => {
    const { code, stdout } = await runCli(["list", "--json"]);
    expect(code).toBe(0);
    const servers = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(servers).toEqual(expect.arrayContaining(SHIPPED.map((s) => expect.objectContaining(s))));
    for (const server of servers) expect(server.description).toEqual(expect.stringMatching(/\w/));
    const hello = servers.find((s) => s.name === "hello");
    expect(hello?.runs).toBe("node --import tsx servers/hello/src/stdio.ts");
    expect(servers.map((s) => s.name)).toEqual(servers.map((s) => s.name).sort());
  });

  it("prints an aligned table with a header", async () => {
    const { code, stdout } = await runCli(["list"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+TRANSPORT\s+PORT\s+OWNER\s+TOOLS\s+RUNS$/);
    const row = lines.find((l) => l.startsWith("memory "));
    expect(row).toMatch(
      /^memory\s+stdio\s+3102\s+agents\s+all\s+node node_modules\/@modelcontextprotocol\/server-memory\/dist\/index\.js$/,
    );
    // Columns line up: every row's PORT ends where the header's does.
    const portEnd = (lines[0] ?? "").indexOf(" PORT ") + 5;
    for (const s of SHIPPED) {
      const line = lines.find((l) => l.startsWith(`${s.name} `)) ?? "";
      expect(line.slice(portEnd - 4, portEnd)).toBe(String(s.port));
    }
  });

  it("fails with the catalog's problems when the catalog is invalid", async () => {
    const root = await mkdtemp(join(tmpdir(), "mcp-fleet-list-"));
    tempDirs.push(root);
    await mkdir(join(root, "servers"));
    await writeFile(join(root, "package.json"), '{ "name": "fixture", "type": "module" }\n');
    await writeFile(join(root, "servers", "broken.ts"), "export const nothing = 1;\n");
    const { code, stdout, stderr } = await runCli(["list", "--root", root]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "mcp-fleet: cannot list the servers: the server catalog has 1 problem:",
        "  - servers/broken.ts: `default export` is missing. Add `export default defineServer({...})` (from servers/catalog/spec.ts).",
        "Fix them (see `mcp-fleet validate`).",
        "",
      ].join("\n"),
    );
  });

  it("--help describes the options", async () => {
    const { code, stdout } = await runCli(["list", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mcp-fleet list [options]");
    expect(stdout).toContain("--json");
  });
});
