import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CatalogError, findRepoRoot, loadCatalog, loadCatalogFromSpecs, nextFreePort } from "./catalog.js";
import { toolAllowed } from "./globs.js";

const SPEC_MODULE = pathToFileURL(join(import.meta.dirname, "spec.ts")).href;
const tempDirs: string[] = [];

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A throwaway repository root whose `servers/` holds exactly these files. */
async function fixtureRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "mcp-fleet-catalog-"));
  tempDirs.push(root);
  await mkdir(join(root, "servers", "catalog"), { recursive: true });
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(root, "servers", name), text)));
  return root;
}

function spec(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    name: "alpha",
    description: "A test server",
    owner: "platform",
    transport: { type: "stdio", command: "node", args: ["server.js"] },
    port: 3201,
    ...overrides,
  };
}

/** A spec file as users write it: `export default defineServer({...})`. */
function specFile(overrides: Record<string, unknown>): string {
  return `import { defineServer } from ${JSON.stringify(SPEC_MODULE)};\nexport default defineServer(${JSON.stringify(spec(overrides))});\n`;
}

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const root = await fixtureRoot(files);
  const error = await loadCatalog({ root }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CatalogError);
  return (error as CatalogError).problems;
}

function problemsOfSpecs(entries: Array<{ file: string; spec: unknown; modifiedMs?: number }>): string[] {
  try {
    loadCatalogFromSpecs(entries);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as CatalogError).problems;
  }
  throw new Error("expected a CatalogError");
}

describe("the shipped catalog", () => {
  it("discovers the five shipped servers, sorted by name, with their files and unique ports", async () => {
    const catalog = await loadCatalog();
    expect(catalog.root).toBe(findRepoRoot());
    const rows = catalog.servers.map(({ spec, file }) => [spec.name, file, spec.port, spec.transport.type]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ["everything", "servers/everything.ts", 3101, "stdio"],
        ["filesystem", "servers/filesystem.ts", 3103, "stdio"],
        ["hello", "servers/hello.ts", 3105, "stdio"],
        ["memory", "servers/memory.ts", 3102, "stdio"],
        ["sequential-thinking", "servers/sequential-thinking.ts", 3104, "stdio"],
      ]),
    );
    const names = catalog.servers.map((s) => s.spec.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(catalog.servers.map((s) => s.spec.port)).size).toBe(catalog.servers.length);
  });

  it("applies the schema defaults", async () => {
    const catalog = await loadCatalog();
    const hello = catalog.servers.find((s) => s.spec.name === "hello");
    expect(hello?.spec.replicas).toBe(1);
    expect(hello?.spec.tools).toEqual({ allow: [], deny: [] });
    expect(hello?.spec.resources.limits).toEqual({ cpu: "500m", memory: "256Mi" });
    expect(hello?.spec.protocol).toBe("auto");
  });
});

describe("catalog discovery", () => {
  it("imports every top-level servers/*.ts and nothing else", async () => {
    const root = await fixtureRoot({
      "alpha.ts": specFile({ name: "alpha", port: 3201 }),
      "beta.ts": specFile({ name: "beta", port: 3202 }),
      "beta.test.ts": "throw new Error('a test file is not a spec');\n",
    });
    await mkdir(join(root, "servers", "beta"));
    await writeFile(join(root, "servers", "beta", "gamma.ts"), "throw new Error('sub-folders are not specs');\n");
    const catalog = await loadCatalog({ root });
    expect(catalog.servers.map((s) => [s.spec.name, s.file])).toEqual([
      ["alpha", "servers/alpha.ts"],
      ["beta", "servers/beta.ts"],
    ]);
  });

  it("reports a file without a default export", async () => {
    expect(await problemsOf({ "alpha.ts": "export const spec = {};\n" })).toEqual([
      "servers/alpha.ts: `default export` is missing. Add `export default defineServer({...})` (from servers/catalog/spec.ts).",
    ]);
  });

  it("reports a file that does not load, alongside the other files' problems", async () => {
    const problems = await problemsOf({
      "alpha.ts": "throw new Error('boom');\n",
      "beta.ts": specFile({ name: "beta", port: "3202" }),
    });
    expect(problems).toEqual([
      "servers/alpha.ts: `default export` could not be loaded (Error: boom). Fix the file so that it imports cleanly.",
      'servers/beta.ts: `port` must be a number, not a string ("3202"). Pick a free port between 1024 and 65535, e.g. 3106.',
    ]);
  });
});

describe("validation problems name the file, the field and the fix", () => {
  it("wrong type", () => {
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ replicas: 1.5 }) }])).toEqual([
      "servers/alpha.ts: `replicas` must be a whole number, not a fraction (1.5). Use a whole number from 0 to 100.",
    ]);
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ replicas: "2" }) }])).toEqual([
      'servers/alpha.ts: `replicas` must be a number, not a string ("2"). Use a whole number from 0 to 100.',
    ]);
  });

  it("protocol: one of the revisions the gateway speaks, and none that the transport cannot carry", () => {
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ protocol: "2025-06-18" }) }])).toEqual([
      'servers/alpha.ts: `protocol` "2025-06-18" is not one of "auto", "2025-11-25", "2026-07-28". Use "auto" (probe, then fall back to 2025-11-25), "2025-11-25" or "2026-07-28".',
    ]);
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ protocol: "2026-07-28", transport: { type: "sse", url: "http://127.0.0.1:3999/sse" } }) }])).toEqual([
      'servers/alpha.ts: `protocol` "2026-07-28" cannot be spoken over the legacy SSE transport (it predates 2026-07-28). Use `transport: { type: "http" }` for a 2026-07-28 server, or set `protocol` to "auto" or "2025-11-25".',
    ]);
    const modern = loadCatalogFromSpecs([{ file: "servers/alpha.ts", spec: spec({ protocol: "2026-07-28", transport: { type: "http", url: "https://mcp.example.com/mcp" } }) }], { root: "/repo" });
    expect(modern.servers[0]!.spec.protocol).toBe("2026-07-28");
  });

  it("unknown transport", () => {
    expect(problemsOfSpecs([{ file: "servers/x.ts", spec: spec({ name: "x", transport: { type: "ftp" } }) }])).toEqual([
      'servers/x.ts: `transport.type` "ftp" is not a transport. Use one of stdio, http, sse, image.',
    ]);
  });

  it("missing field and unknown field", () => {
    const { owner: _owner, ...noOwner } = spec({ colour: "blue" });
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: noOwner }])).toEqual([
      "servers/alpha.ts: `owner` is missing. Add it: use the owning team's name in kebab-case, e.g. platform.",
      "servers/alpha.ts: `colour` is not a field of a server spec. Remove it or fix its spelling (fields are documented in servers/catalog/spec.ts).",
    ]);
  });

  it("nested fields keep their path", () => {
    const problems = problemsOfSpecs([
      {
        file: "servers/alpha.ts",
        spec: spec({
          transport: { type: "http", url: "ftp://example.com/mcp" },
          env: { lower: "x" },
          resources: { limits: { cpu: "lots" } },
        }),
      },
    ]);
    expect(problems).toEqual([
      'servers/alpha.ts: `transport.url` "ftp://example.com/mcp" must be an http:// or https:// URL. Use the server\'s http:// or https:// endpoint, e.g. https://mcp.example.com/mcp.',
      'servers/alpha.ts: `env.lower` name "lower" must be an UPPER_SNAKE_CASE environment variable name. Use UPPER_SNAKE_CASE names with string values.',
      'servers/alpha.ts: `resources.limits.cpu` "lots" must be a CPU quantity such as 100m or 0.5. Use a CPU quantity such as "500m".',
    ]);
  });

  it("duplicate port: the file modified last is the one to change, told a free port (each its own)", () => {
    expect(
      problemsOfSpecs([
        { file: "servers/linear.ts", spec: spec({ name: "linear", port: 3101 }), modifiedMs: 1_000 },
        { file: "servers/github.ts", spec: spec({ name: "github", port: 3101 }), modifiedMs: 2_000 },
        { file: "servers/jira.ts", spec: spec({ name: "jira", port: 3101 }), modifiedMs: 3_000 },
        { file: "servers/other.ts", spec: spec({ name: "other", port: 3102 }) },
      ]),
    ).toEqual([
      "servers/github.ts: `port` 3101 is already used by servers/linear.ts. Pick another port, e.g. 3103 (the next free one).",
      "servers/jira.ts: `port` 3101 is already used by servers/linear.ts. Pick another port, e.g. 3104 (the next free one).",
    ]);
    // Modified at the same time: the later file name.
    expect(
      problemsOfSpecs([
        { file: "servers/linear.ts", spec: spec({ name: "linear", port: 3002 }) },
        { file: "servers/github.ts", spec: spec({ name: "github", port: 3002 }) },
      ]),
    ).toEqual(["servers/linear.ts: `port` 3002 is already used by servers/github.ts. Pick another port, e.g. 3101 (the next free one)."]);
  });

  it("a fallback names another server of the catalog, not itself and not one that does not exist", () => {
    expect(
      problemsOfSpecs([
        { file: "servers/search.ts", spec: spec({ name: "search", port: 3201, fallback: { lookup: ["backup", "search", "nowhere"] } }) },
        { file: "servers/backup.ts", spec: spec({ name: "backup", port: 3202 }) },
      ]),
    ).toEqual([
      'servers/search.ts: `fallback.lookup` names "search", this server itself. Name another server that offers "lookup".',
      'servers/search.ts: `fallback.lookup` names "nowhere", which is no server of the catalog. Use one of: backup.',
    ]);
  });

  it("duplicate name (which also cannot match its file name)", () => {
    expect(
      problemsOfSpecs([
        { file: "servers/alpha.ts", spec: spec({ name: "alpha", port: 3201 }) },
        { file: "servers/beta.ts", spec: spec({ name: "alpha", port: 3202 }) },
      ]),
    ).toEqual([
      'servers/beta.ts: `name` "alpha" does not match the file name. Rename the file to servers/alpha.ts or set `name` to "beta".',
      'servers/beta.ts: `name` "alpha" is already used by servers/alpha.ts. Pick another name.',
    ]);
  });

  it("bad name", () => {
    expect(problemsOfSpecs([{ file: "servers/Billing_Tools.ts", spec: spec({ name: "Billing_Tools" }) }])).toEqual([
      "servers/Billing_Tools.ts: `name` \"Billing_Tools\" must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending alphanumeric). Use lowercase letters, digits and '-', e.g. billing-tools.",
    ]);
  });

  it("file name mismatch", () => {
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ name: "beta" }) }])).toEqual([
      'servers/alpha.ts: `name` "beta" does not match the file name. Rename the file to servers/beta.ts or set `name` to "alpha".',
    ]);
  });

  it("prefix too long: a 31-character name fails, 30 passes", () => {
    const long = "a".repeat(31);
    expect(problemsOfSpecs([{ file: `servers/${long}.ts`, spec: spec({ name: long }) }])).toEqual([
      `servers/${long}.ts: \`name\` "${long}" is 31 characters; tools are exposed as "${long}__<tool>" and that prefix may take at most 32 of their 64 characters. Use a name of at most 30 characters.`,
    ]);
    const ok = "a".repeat(30);
    expect(loadCatalogFromSpecs([{ file: `servers/${ok}.ts`, spec: spec({ name: ok }) }]).servers).toHaveLength(1);
  });

  it("invalid tool globs and tool names too long once prefixed", () => {
    expect(
      problemsOfSpecs([
        { file: "servers/alpha.ts", spec: spec({ tools: { allow: ["read.*"], deny: [`x${"y".repeat(57)}`] } }) },
      ]),
    ).toEqual([
      "servers/alpha.ts: `tools.allow[0]` \"read.*\" is not a tool-name glob. Use letters, digits, '_', '-', '*' and '?' (at most 64 characters).",
      `servers/alpha.ts: \`tools.deny[0]\` "x${"y".repeat(57)}" is too long once prefixed ("alpha__x${"y".repeat(57)}" exceeds 64 characters). Shorten the server name or match the tool with a glob.`,
    ]);
  });

  it("collects every problem of every file, grouped by file", () => {
    const problems = problemsOfSpecs([
      { file: "servers/b.ts", spec: spec({ name: "b", port: 80, owner: "Team A" }) },
      { file: "servers/a.ts", spec: spec({ name: "a", transport: { type: "stdio" } }) },
      { file: "servers/c.ts", spec: spec({ name: "c", port: 3201 }) },
    ]);
    expect(problems.map((p) => p.slice(0, p.indexOf(" ", p.indexOf("`"))))).toEqual([
      "servers/a.ts: `transport.command`",
      "servers/b.ts: `owner`",
      "servers/b.ts: `port`",
    ]);
    expect(problems[2]).toBe(
      "servers/b.ts: `port` 80 must be at least 1024 (unprivileged). Pick a free port between 1024 and 65535, e.g. 3106.",
    );
  });
});

describe("credentials.identity", () => {
  const remote = { transport: { type: "http", url: "https://mcp.example.com/mcp" } };
  it("is accepted on any transport, with or without header templates", () => {
    const catalog = loadCatalogFromSpecs(
      [
        { file: "servers/alpha.ts", spec: spec({ credentials: { identity: { type: "signed-header" } } }) },
        { file: "servers/beta.ts", spec: spec({ name: "beta", port: 3202, ...remote, secrets: ["TOKEN"], credentials: { headers: { Authorization: "Bearer ${TOKEN}" }, identity: { type: "signed-header", ttlSeconds: 300 } } }) },
      ],
      { root: "/repo" },
    );
    expect(catalog.servers.map((s) => s.spec.credentials.identity)).toEqual([{ type: "signed-header" }, { type: "signed-header", ttlSeconds: 300 }]);
  });

  it("refuses an identity header that a template also sets, or Authorization, naming the field and the fix", () => {
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ ...remote, secrets: ["TOKEN"], credentials: { headers: { "X-MCP-Fleet-Identity": "${TOKEN}" }, identity: { type: "signed-header" } } }) }])).toEqual([
      'servers/alpha.ts: `credentials.identity.header` "X-MCP-Fleet-Identity" is also set by `credentials.headers.X-MCP-Fleet-Identity`. Give the identity token a header of its own (default X-MCP-Fleet-Identity), or remove the template.',
    ]);
    expect(problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ ...remote, credentials: { identity: { type: "signed-header", header: "Authorization" } } }) }])).toEqual([
      'servers/alpha.ts: `credentials.identity.header` "Authorization" would carry the gateway\'s token where the server expects its own credential. Use a header of its own (default X-MCP-Fleet-Identity).',
    ]);
  });

  it("refuses an unknown type, a lifetime past an hour, and a token exchange toward a stdio server", () => {
    const problemsOf = (identity: unknown) => problemsOfSpecs([{ file: "servers/alpha.ts", spec: spec({ credentials: { identity } }) }]);
    expect(problemsOf({ type: "passthrough" })).toEqual(['servers/alpha.ts: `credentials.identity.type` "passthrough" is not one of signed-header, token-exchange. See the field\'s documentation in servers/catalog/spec.ts.']);
    expect(problemsOf({ type: "signed-header", ttlSeconds: 86_400 })).toEqual(["servers/alpha.ts: `credentials.identity.ttlSeconds` 86400 must be at most 3600. See the field's documentation in servers/catalog/spec.ts."]);
    expect(problemsOf({ type: "token-exchange", tokenEndpoint: "https://idp.example.com/token", clientId: "gw", clientSecretEnv: "EXCHANGE_SECRET" })).toEqual([
      'servers/alpha.ts: `credentials.identity` "token-exchange" sends the exchanged token as an Authorization header, which a stdio server has none of. Use { type: "signed-header" } (the token goes in _meta).',
    ]);
  });
});

describe("helpers", () => {
  it("findRepoRoot walks up to the mcp-fleet package, else falls back to this checkout", () => {
    const repo = join(import.meta.dirname, "..", "..");
    expect(findRepoRoot(join(repo, "servers", "hello", "src"))).toBe(repo);
    expect(findRepoRoot(tmpdir())).toBe(repo);
  });

  it("a root without servers/ is a problem, not a crash", async () => {
    const root = await mkdtemp(join(tmpdir(), "mcp-fleet-empty-"));
    tempDirs.push(root);
    await expect(loadCatalog({ root })).rejects.toThrow(
      `The server catalog has 1 problem:\n  - servers/: \`servers/\` does not exist in ${root}. Run inside an mcp-fleet checkout or point to its root.`,
    );
  });

  it("nextFreePort skips used ports", () => {
    const catalog = loadCatalogFromSpecs([
      { file: "servers/a.ts", spec: spec({ name: "a", port: 3101 }) },
      { file: "servers/b.ts", spec: spec({ name: "b", port: 3102 }) },
      { file: "servers/c.ts", spec: spec({ name: "c", port: 3104 }) },
    ]);
    expect(nextFreePort(catalog)).toBe(3103);
    expect(nextFreePort(catalog, 3104)).toBe(3105);
  });

  it("toolAllowed applies allow then deny globs", () => {
    const filter = { allow: ["read_*", "list?"], deny: ["read_secret*"] };
    expect(["read_file", "lists", "read_secrets", "write_file", "list"].filter((t) => toolAllowed(filter, t))).toEqual([
      "read_file",
      "lists",
    ]);
    expect(toolAllowed({ allow: [], deny: [] }, "anything")).toBe(true);
  });
});
