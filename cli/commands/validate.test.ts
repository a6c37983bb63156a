import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
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
        "  - servers/linear.ts: `port` 3002 is already used by servers/github.ts. Pick another port, e.g. 3101 (the next free one).",
        '  - servers/wrong.ts: `replicas` must be a number, not a string ("two"). Use a whole number from 0 to 100.',
        '  - servers/x.ts: `transport.type` "ftp" is not a transport. Use one of stdio, http, sse, image.',
        "",
      ].join("\n"),
    );
  });

  it("names the file just changed of two on one port, whatever their names, and a free port", async () => {
    const root = await fixture({ alpha: base("alpha", 3101), zeta: base("zeta", 3102) });
    // The user edits alpha.ts (the older file, first by name) to take zeta's port.
    await writeFile(join(root, "servers", "alpha.ts"), `export default ${JSON.stringify(base("alpha", 3102))};\n`);
    await utimes(join(root, "servers", "zeta.ts"), new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    const { code, stderr } = await runCli(["validate", "--root", root]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "mcp-fleet: the server catalog is invalid: 1 problem:\n  - servers/alpha.ts: `port` 3102 is already used by servers/zeta.ts. Pick another port, e.g. 3101 (the next free one).\n",
    );
  });

  it("exits 1 on a stdio command that is not on PATH, naming the server, the command and the fix", async () => {
    const root = await fixture({ ghost: { ...base("ghost", 4001), transport: { type: "stdio", command: "mcp-fleet-no-such-command" } }, ok: base("ok", 4002) });
    const { code, stdout, stderr } = await runCli(["validate", "--root", root]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(
      'mcp-fleet: the server catalog cannot run on this machine: 1 problem:\n  - servers/ghost.ts: `transport.command` "mcp-fleet-no-such-command" is not on PATH, so server "ghost" cannot start. Install it (or put it on PATH), or set `transport.command` in servers/ghost.ts to a command that is.\n',
    );
  });

  it("exits 1 on a secret-looking variable in plain env, for every kind of server, naming the file, the field and the move to secrets", async () => {
    const root = await fixture({
      adapter: { ...base("adapter", 4001), transport: { type: "stdio", command: "node", env: { GITHUB_TOKEN: "ghp_never-printed" } } },
      image: { ...base("image", 4002), transport: { type: "image", image: "ghcr.io/acme/image:1.0.0" }, env: { DB_PASSWORD: "hunter2", LOG_LEVEL: "info" } },
      remote: { ...base("remote", 4003), transport: { type: "http", url: "https://mcp.example.com/mcp" }, env: { API_KEY: "k" } },
      reserved: { ...base("reserved", 4004), secrets: ["MCP_FLEET_SESSION_SECRET"] },
    });
    const { code, stdout, stderr } = await runCli(["validate", "--root", root]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    const move = (file: string, server: string, field: string, name: string) =>
      `  - servers/${file}.ts: \`${field}.${name}\` is a plain value, and its name looks secret. Move it to secrets: remove it from \`${field}\` and add "${name}" to \`secrets\`; its value then comes from the platform's secret store (\`pulumi config set --secret --path 'mcp-fleet:serverSecrets.${server}.${name}' VALUE\`), or from your environment under \`npm start\`.`;
    expect(stderr).toBe(
      [
        "mcp-fleet: the server catalog is invalid: 4 problems:",
        move("adapter", "adapter", "transport.env", "GITHUB_TOKEN"),
        move("image", "image", "env", "DB_PASSWORD"),
        move("remote", "remote", "env", "API_KEY"),
        '  - servers/reserved.ts: `secrets[0]` "MCP_FLEET_SESSION_SECRET" is reserved: the gateway adapter in front of the server reads its session key from it. Name the server\'s variable otherwise.',
        "",
      ].join("\n"),
    );
    expect(stderr).not.toContain("ghp_never-printed");
    expect(stderr).not.toContain("hunter2");
  });

  it("--help describes the command", async () => {
    const { code, stdout } = await runCli(["validate", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mcp-fleet validate [options]");
    expect(stdout).toContain("exit 1 listing every problem");
  });
});
