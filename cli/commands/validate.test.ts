import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.test-helper.js";

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fixture(specs: Record<string, unknown>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "mcp-fleet-validate-"));
  tempDirs.push(root);
  await mkdir(join(root, "servers"));
  await writeFile(join(root, "package.json"), '{ "name": "fixture", "type": "module" }\n');
  for (const [name, spec] of Object.entries(specs)) {
    await writeFile(join(root, "servers", `${name}.ts`), `export default ${JSON.stringify(spec, null, 2)};\n`);
  }
  return root;
}

const base = (name: string, port: number) => ({
  name,
  description: `${name} server`,
  owner: "platform",
  transport: { type: "stdio", command: "node", args: ["server.js"] },
  port,
});

describe("mcp-fleet validate", () => {
  it("exits 0 with a one-line summary on the shipped catalog", async () => {
    const { code, stdout, stderr } = await runCli(["validate"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Catalog valid: \d+ servers \(ports 3101-\d+\) in servers\/\.\n$/);
  });

  it("exits 0 on a valid fixture and names where it looked", async () => {
    const root = await fixture({ alpha: base("alpha", 4001), beta: base("beta", 4003) });
    const { code, stdout } = await runCli(["validate", "--root", root], { cwd: root });
    expect(code).toBe(0);
    expect(stdout).toBe("Catalog valid: 2 servers (ports 4001-4003) in servers/.\n");
  });

  it("exits 1 listing every problem: wrong type, unknown transport, duplicate port", async () => {
    const root = await fixture({
      github: base("github", 3002),
      linear: base("linear", 3002),
      wrong: { ...base("wrong", 3003), replicas: "two" },
      x: { ...base("x", 3004), transport: { type: "ftp" } },
    });
    const { code, stdout, stderr } = await runCli(["validate", "--root", root]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "mcp-fleet: the server catalog is invalid: 3 problems:",
        "  - servers/linear.ts: `port` 3002 is already used by servers/github.ts. Pick another port.",
        '  - servers/wrong.ts: `replicas` must be a number, not a string ("two"). Use a whole number from 0 to 100.',
        '  - servers/x.ts: `transport.type` "ftp" is not a transport. Use one of stdio, http, sse, image.',
        "",
      ].join("\n"),
    );
  });

  it("--help describes the command", async () => {
    const { code, stdout } = await runCli(["validate", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mcp-fleet validate [options]");
    expect(stdout).toContain("exit 1 listing every problem");
  });
});
