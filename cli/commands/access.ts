/**
 * `mcp-fleet access --stack S`: who may call what, as a table of every exposed tool against every role (from the
 * servers' `access` rules and the stack's API keys), decided by the gateway's own access function. The servers are
 * started (stdio) or reached (http, sse) to list their tools, bounded in time. `--json` writes the matrix; `--diff
 * FILE` prints what changed since a matrix written before (the PR preview posts it: "role support gains x").
 */
import { readFileSync } from "node:fs";
import { parseGatewayConfig } from "@mcp-fleet/gateway/config";
import type { Command } from "commander";
import { localGatewayConfig, localSkips } from "../../components/gateway-config.js";
import { findRepoRoot } from "../../servers/catalog/catalog.js";
import { parseStackConfig, readRawConfig, StackConfigError } from "../../stacks/config.js";
import { readStackFile } from "../../stacks/plan-stack.js";
import { accessMatrix, ANY_ROLE, matrixChanges, type AccessMatrix } from "../access/matrix.js";
import { CliError } from "../errors.js";
import { loadCatalogOrFail } from "../format/problems.js";
import { renderTable } from "../format/table.js";
import { stackOptionHelp } from "../stacks.js";
import { listAllServerTools } from "../tools/server-lists.js";

interface AccessOptions {
  stack: string;
  json?: boolean;
  diff?: string;
  timeout: string;
  root?: string;
}

export function register(program: Command): void {
  program
    .command("access")
    .description("Print which roles may see and call which tools in a stack (the role x tool matrix), or what changed since an earlier matrix")
    .requiredOption("--stack <name>", stackOptionHelp("show"))
    .option("--json", "print the matrix as JSON {stack, auth, roles, tools, grants, unavailable}")
    .option("--diff <file>", "print what changed since the matrix in FILE (an earlier --json), one line per change")
    .option("--timeout <seconds>", "how long each server may take to start and list its tools", "20")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (options: AccessOptions) => {
      const matrix = await collect(options);
      if (options.diff !== undefined) process.stdout.write(renderChanges(readMatrix(options.diff), matrix));
      else process.stdout.write(options.json === true ? `${JSON.stringify(matrix, null, 2)}\n` : renderMatrix(matrix));
    });
}

function readMatrix(file: string): Pick<AccessMatrix, "grants"> {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as { grants?: unknown };
    if (value.grants === null || typeof value.grants !== "object") throw new Error("no `grants` object");
    return value as Pick<AccessMatrix, "grants">;
  } catch (error) {
    throw new CliError(`--diff ${file}: not a matrix written by \`mcp-fleet access --json\` (${(error as Error).message}).`);
  }
}

async function collect(options: AccessOptions): Promise<AccessMatrix> {
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${JSON.stringify(options.timeout)} is not a number of seconds. Use e.g. --timeout 20.`);
  const root = options.root ?? findRepoRoot();
  let config;
  try {
    config = parseStackConfig(readRawConfig(readStackFile(root, options.stack).config), options.stack);
  } catch (error) {
    if (error instanceof StackConfigError || error instanceof Error) throw new CliError(error.message);
    throw error;
  }
  const catalog = await loadCatalogOrFail(root, "show access");
  let backends: ReturnType<typeof parseGatewayConfig>["servers"] = [];
  try {
    backends = parseGatewayConfig(localGatewayConfig(catalog), "local gateway config").servers;
  } catch {
    backends = [];
  }
  const lists = await listAllServerTools(backends, timeoutMs);
  const tools = new Map<string, string[]>();
  const unavailable = localSkips(catalog).map((s) => ({ server: s.name, reason: s.reason }));
  for (const list of lists) {
    if ("error" in list) unavailable.push({ server: list.server, reason: list.error });
    else tools.set(list.server, list.tools.map((t) => t.name));
  }
  return accessMatrix({
    stack: options.stack,
    auth: config.auth?.mode ?? "none",
    keyRoles: (config.auth?.apiKeys ?? []).flatMap((k) => k.roles),
    catalog,
    tools,
    unavailable,
  });
}

/** The table: one row per tool, one column per role, `x` where the role sees the tool. */
export function renderMatrix(m: AccessMatrix): string {
  const head = m.auth === "none" ? `Stack ${m.stack} does not authenticate: every caller sees every tool.\n\n` : `Stack ${m.stack} (auth ${m.auth}): who may see and call each tool.\n\n`;
  const roles = m.roles.map((r) => (r === ANY_ROLE ? "any" : r));
  const rows = m.tools.map((tool) => [tool, ...m.roles.map((role) => ((m.grants[role] ?? []).includes(tool) ? "x" : ""))]);
  const table = renderTable(["TOOL", ...roles], rows);
  const missing = m.unavailable.map((u) => `\n(${u.server}: not listed, ${u.reason})`).join("");
  return `${head}${table}\n${missing}${missing === "" ? "" : "\n"}\`any\`: any signed-in caller, whatever its roles; each role also sees what \`any\` sees.\n`;
}

/** The changes as Markdown, for a PR comment. */
export function renderChanges(before: Pick<AccessMatrix, "grants">, after: AccessMatrix): string {
  const lines = matrixChanges(before, after);
  if (lines.length === 0) return `### Access (${after.stack})\n\nNo change in who may call what.\n`;
  return `### Access (${after.stack})\n\n${lines.map((l) => `- ${l}`).join("\n")}\n`;
}
