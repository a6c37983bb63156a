/**
 * `mcp-fleet tools [server] [--json]`: every tool a client sees, with its server, description and whether the spec's
 * tool filter hides it.
 *
 * With a gateway running (`--url`, `$MCP_FLEET_URL`, or the local one): its `tools/list`, plus the tools its filters
 * hide, read from the servers that have a filter (a hidden tool is not in the gateway's list). Without one (nothing
 * listens at the local address): every server the local gateway would run is started (stdio) or reached (http, sse)
 * with the SDK client, bounded in time, and listed under the names the gateway would give them.
 */
import { DEFAULT_SEPARATOR, parseGatewayConfig, type GatewayConfig } from "@mcp-fleet/gateway/config";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Command } from "commander";
import { localGatewayConfig, localSkips } from "../../components/gateway-config.js";
import type { Catalog } from "../../servers/catalog/catalog.js";
import { CliError } from "../errors.js";
import { loadCatalogOrFail } from "../format/problems.js";
import { styleFor } from "../format/style.js";
import { renderTable } from "../format/table.js";
import { connectGateway, GatewayUnreachableError, listAllTools, resolveGatewayTarget, TOKEN_ENV, URL_ENV } from "../gateway-client.js";
import { listAllServerTools, type ServerList } from "../tools/server-lists.js";
import { toolRows, type ToolRow } from "../tools/tool-rows.js";

interface ToolsOptions {
  url?: string;
  json?: boolean;
  timeout: string;
  exposedOnly?: boolean;
  root?: string;
}

/** What `tools --json` prints. */
export interface ToolsReport {
  /** `gateway`: listed by the running gateway at `url`; `servers`: by the servers themselves (no gateway ran). */
  source: "gateway" | "servers";
  url: string;
  tools: ToolRow[];
  /** Servers whose own list could not be read, with the reason (their hidden tools are unknown). */
  unavailable: { server: string; reason: string }[];
}

export function register(program: Command): void {
  program
    .command("tools")
    .description("List every tool clients see (name, server, description) and the ones the tool filters hide; from the running gateway, else from the servers themselves")
    .argument("[server]", "only this server's tools")
    .option("--url <url>", `the gateway's MCP endpoint (default: $${URL_ENV}, else http://127.0.0.1:$PORT/mcp, PORT=8080); credentials from $${TOKEN_ENV}`)
    .option("--json", "print {source, url, tools: [{name, server, tool, description, hidden, exposed}], unavailable} as JSON")
    .option("--timeout <seconds>", "how long each server may take to start and list its tools", "20")
    .option("--exposed-only", "with a gateway: only its list; start no server to find the hidden tools")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (server: string | undefined, options: ToolsOptions) => {
      const report = await collect(server, options);
      process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    });
}

/** The local gateway config of the catalog (what `npm start` runs), or undefined when no server can run here. */
function localConfig(catalog: Catalog): GatewayConfig | undefined {
  try {
    return parseGatewayConfig(localGatewayConfig(catalog), "local gateway config");
  } catch {
    return undefined;
  }
}

async function collect(only: string | undefined, options: ToolsOptions): Promise<ToolsReport> {
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${JSON.stringify(options.timeout)} is not a number of seconds. Use e.g. --timeout 20.`);
  const catalog = await loadCatalogOrFail(options.root, "list the tools");
  if (only !== undefined && !catalog.servers.some((e) => e.spec.name === only)) {
    throw new CliError(`no server "${only}" in the catalog. Servers: ${catalog.servers.map((e) => e.spec.name).join(", ")}.`);
  }
  const config = localConfig(catalog);
  const naming = config?.naming ?? { separator: DEFAULT_SEPARATOR, passthrough: false };
  const backends = catalog.servers.map((e) => ({ name: e.spec.name, tools: e.spec.tools }));
  const wanted = (name: string) => only === undefined || name === only;
  const runnable = (config?.servers ?? []).filter((b) => wanted(b.name));
  const target = resolveGatewayTarget(options.url);

  let client: Client | undefined;
  try {
    client = await connectGateway(target.url);
  } catch (error) {
    if (!(error instanceof GatewayUnreachableError) || target.explicit) throw error;
  }

  let gatewayTools: Tool[] | undefined;
  if (client !== undefined) {
    try {
      gatewayTools = await listAllTools(client);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  // Without a gateway every server is asked; with one, only a filter can hide a tool: the servers that have one.
  const hasFilter = (e: Catalog["servers"][number]) => e.spec.tools.allow.length + e.spec.tools.deny.length > 0;
  const candidates = catalog.servers.filter((e) => wanted(e.spec.name) && (client === undefined || (options.exposedOnly !== true && hasFilter(e))));
  const skips = new Map(localSkips(catalog).map((s) => [s.name, s.reason]));
  const toAsk = runnable.filter((b) => candidates.some((e) => e.spec.name === b.name));
  const unavailable: ToolsReport["unavailable"] = candidates
    .filter((e) => !toAsk.some((b) => b.name === e.spec.name))
    .map((e) => ({ server: e.spec.name, reason: skips.get(e.spec.name) ?? "it cannot run on this machine" }));
  const serverLists: ServerList[] = await listAllServerTools(toAsk, timeoutMs);
  for (const list of serverLists) if ("error" in list) unavailable.push({ server: list.server, reason: list.error });

  const rows = toolRows({ naming, backends, serverLists, ...(gatewayTools !== undefined ? { gatewayTools } : {}) }).filter((r) => only === undefined || r.server === only);
  return { source: gatewayTools !== undefined ? "gateway" : "servers", url: target.url.href, tools: rows, unavailable };
}

const firstLine = (text: string) => text.split("\n", 1)[0]?.trim() ?? "";

/** The table, with a line saying where the list comes from and a closing count. */
export function renderReport(report: ToolsReport, style = styleFor(process.stdout)): string {
  const head =
    report.source === "gateway"
      ? `Tools of the gateway at ${report.url}:`
      : `No gateway answers at ${report.url}; tools from the servers themselves, under the names the gateway would expose:`;
  const exposedCell = (r: ToolRow) => (r.hidden ? "hidden" : r.exposed ? "yes" : "no");
  const table = renderTable(
    ["TOOL", "SERVER", "EXPOSED", "DESCRIPTION"],
    report.tools.map((r) => [r.name, r.server ?? "?", exposedCell(r), firstLine(r.description)]),
    {
      maxWidth: [undefined, undefined, undefined, 70],
      paint: (text, column) => (column !== 2 ? text : text === "yes" ? style.green(text) : text === "hidden" ? style.yellow(text) : style.red(text)),
    },
  );
  const hidden = report.tools.filter((r) => r.hidden).length;
  const exposed = report.tools.filter((r) => r.exposed).length;
  const notListed = report.tools.length - hidden - exposed;
  const lines = [head, "", table, ""];
  const verb = report.source === "gateway" ? "exposed" : "would be exposed";
  lines.push(`${exposed} tool${exposed === 1 ? "" : "s"} ${verb}, ${hidden} hidden by tool filters${notListed > 0 ? `, ${notListed} allowed by the filters but not listed by the gateway` : ""}.`);
  for (const u of report.unavailable) lines.push(style.warn(`${u.server}: its own list could not be read (${u.reason}); its hidden tools are not shown.`));
  return `${lines.join("\n")}\n`;
}
