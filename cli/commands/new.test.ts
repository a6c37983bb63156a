import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, nextFreePort } from "../../servers/catalog/catalog.js";
import { copyRepo, runCli, runNode } from "./run-cli.test-helper.js";

/** A copy of the repository (node_modules symlinked): `new` never touches the real `servers/`. */
let copy = "";
/**
 * What this test creates, the README's own example: left out of the copy, so a checkout where someone ran
 * `mcp-fleet new billing-tools` (spec file and folder) is tested like a fresh one.
 */
const CREATES = ["servers/billing-tools.ts", "servers/billing-tools"];

beforeAll(async () => {
  copy = await copyRepo("mcp-fleet-new-", { exclude: CREATES });
});

/** The port `new` suggests: the next free one of the copy's catalog as it is now, whatever servers the checkout has. */
async function nextFree(): Promise<number> {
  return nextFreePort(await loadCatalog({ root: copy }));
}

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

/** Every file of the copy (but node_modules) with a hash of its content. */
async function tree(dir = copy): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === join(copy, "node_modules")) continue;
    if (entry.isDirectory()) Object.assign(out, await tree(path));
    else
      out[relative(copy, path)] = createHash("sha1")
        .update(await readFile(path))
        .digest("hex");
  }
  return out;
}

const cli = (...args: string[]) => runCli(args, { cwd: copy, root: copy });

describe("mcp-fleet new", () => {
  it("creates billing-tools from the template, and list shows it", { timeout: 180_000 }, async () => {
    const before = await tree();
    const { code, stdout, stderr } = await cli("new", "billing-tools", "--port", "3107", "--tools", "lookup,refund");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('Created server "billing-tools" (port 3107, tools lookup, refund):');
    expect(stdout).toContain("A running fleet does not serve it yet: restart `npm start` (Ctrl-C, then `npm start`); a deployed fleet gets it with the next `pulumi up`.\n");
    const added = Object.keys(await tree())
      .filter((f) => !(f in before))
      .sort();
    expect(added).toEqual([
      "servers/billing-tools.ts",
      "servers/billing-tools/Dockerfile",
      "servers/billing-tools/billing-tools.test.ts",
      "servers/billing-tools/package.json",
      "servers/billing-tools/src/http.ts",
      "servers/billing-tools/src/server.ts",
      "servers/billing-tools/src/stdio.ts",
    ]);

    const listed = await cli("list", "--json");
    expect(listed.code).toBe(0);
    const servers = JSON.parse(listed.stdout) as Array<{ name: string; port: number; transport: string; file: string }>;
    expect(servers.find((s) => s.name === "billing-tools")).toMatchObject({
      port: 3107,
      transport: "stdio",
      file: "servers/billing-tools.ts",
    });
    expect((await cli("validate")).code).toBe(0);
  });

  it("the generated server passes its own generated test", { timeout: 180_000 }, async () => {
    const report = join(copy, "new-report.json");
    const run = await runNode(
      [
        join(copy, "node_modules/vitest/vitest.mjs"),
        "run",
        "servers/billing-tools",
        "--reporter=json",
        `--outputFile=${report}`,
      ],
      { cwd: copy, timeoutMs: 170_000 },
    );
    const result = JSON.parse(await readFile(report, "utf8")) as { numPassedTests: number; numFailedTests: number };
    await rm(report);
    expect({ code: run.code, passed: result.numPassedTests, failed: result.numFailedTests }).toEqual({
      code: 0,
      passed: 2,
      failed: 0,
    });
  });

  it("the generated files typecheck", { timeout: 180_000 }, async () => {
    const tsconfig = join(copy, "tsconfig.billing-tools.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: "./tsconfig.json",
        include: ["servers/billing-tools.ts", "servers/billing-tools/**/*.ts"],
      }),
    );
    const tsc = await runNode([join(copy, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", tsconfig], {
      cwd: copy,
      timeoutMs: 170_000,
    });
    await rm(tsconfig);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  });

  it("the generated files lint clean", { timeout: 180_000 }, async () => {
    const lint = await runNode(
      [join(copy, "node_modules/eslint/bin/eslint.js"), "servers/billing-tools.ts", "servers/billing-tools"],
      { cwd: copy, timeoutMs: 170_000 },
    );
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.code).toBe(0);
  });

  it.each([
    [
      "the same name again",
      ["billing-tools", "--port", "3107", "--tools", "lookup,refund"],
      async () =>
        'mcp-fleet: cannot create server "billing-tools"; nothing was changed: \n' +
        '  - server name "billing-tools" is already taken by servers/billing-tools.ts. Pick another name.\n' +
        `  - --port 3107 is already used by servers/billing-tools.ts. Pick another port, e.g. ${await nextFree()} (the next free one).\n`,
    ],
    [
      "an invalid name",
      ["Billing_Tools"],
      async () =>
        'mcp-fleet: cannot create server "Billing_Tools"; nothing was changed: server name "Billing_Tools" is invalid: ' +
        "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 30 characters. " +
        'Try "billing-tools".\n',
    ],
    [
      "a taken port",
      ["payments", "--port", "3101"],
      async () =>
        'mcp-fleet: cannot create server "payments"; nothing was changed: --port 3101 is already used by ' +
        `servers/everything.ts. Pick another port, e.g. ${await nextFree()} (the next free one).\n`,
    ],
    [
      "bad tools and resources",
      ["payments", "--tools", "pay now,refund,refund", "--resources", "invoices"],
      async () =>
        'mcp-fleet: cannot create server "payments"; nothing was changed: \n' +
        "  - --tools \"pay now\" is not a tool name. Use letters, digits, '_' and '-' (at most 64 characters).\n" +
        '  - --tools "refund" is given twice. List each tool once.\n' +
        '  - --resources "invoices" is not a URI. Use scheme://path, e.g. payments://about.\n',
    ],
    [
      "a bad owner",
      ["payments", "--owner", "Team A"],
      async () =>
        'mcp-fleet: cannot create server "payments"; nothing was changed: servers/payments.ts: `owner` "Team A" must be a ' +
        "team name in kebab-case (e.g. platform). Use the owning team's name in kebab-case, e.g. platform.\n",
    ],
  ])("refuses %s, exits 1 and changes nothing", async (_what, args, message) => {
    const before = await tree();
    const { code, stdout, stderr } = await cli("new", ...args);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: "", stderr: await message() });
    expect(await tree()).toEqual(before);
  });

  it("--help lists the options", async () => {
    const { code, stdout } = await cli("new", "--help");
    expect(code).toBe(0);
    for (const option of [
      "--port <port>",
      "--tools <names>",
      "--resources <uris>",
      "--owner <team>",
      "--description <text>",
    ]) {
      expect(stdout).toContain(option);
    }
  });
});
