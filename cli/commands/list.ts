/**
 * `mcp-fleet list [--json]`: the fleet as a table (name, transport, port, owner, tool filter, what runs), or as
 * JSON for scripts.
 */
import { type Command } from "commander";
import { type CatalogEntry } from "../../servers/catalog/catalog.js";
import { loadCatalogOrFail } from "../format/problems.js";
import { renderTable } from "../format/table.js";

/** One server as `list --json` prints it. */
export interface ListedServer {
  name: string;
  transport: string;
  port: number;
  owner: string;
  description: string;
  file: string;
  tools: { allow: string[]; deny: string[] };
  /** The image, URL or command line that runs the server. */
  runs: string;
}

/** What runs the server: the image, the URL, or the command line. */
export function runsOf(entry: CatalogEntry): string {
  const t = entry.spec.transport;
  switch (t.type) {
    case "stdio":
      return [t.command, ...t.args].join(" ");
    case "image":
      return `${t.image} (${t.path})`;
    default:
      return t.url;
  }
}

/** `all`, or the allow globs, then `except` the deny globs. */
export function toolFilterOf(entry: CatalogEntry): string {
  const { allow, deny } = entry.spec.tools;
  const allowed = allow.length === 0 ? "all" : allow.join(",");
  return deny.length === 0 ? allowed : `${allowed} except ${deny.join(",")}`;
}

export function listed(entry: CatalogEntry): ListedServer {
  const { spec, file } = entry;
  return {
    name: spec.name,
    transport: spec.transport.type,
    port: spec.port,
    owner: spec.owner,
    description: spec.description,
    file,
    tools: { allow: spec.tools.allow, deny: spec.tools.deny },
    runs: runsOf(entry),
  };
}

export function renderList(entries: readonly CatalogEntry[]): string {
  const rows = entries.map((e) => [
    e.spec.name,
    e.spec.transport.type,
    String(e.spec.port),
    e.spec.owner,
    toolFilterOf(e),
    runsOf(e),
  ]);
  return renderTable(["NAME", "TRANSPORT", "PORT", "OWNER", "TOOLS", "RUNS"], rows, {
    align: ["left", "left", "right"],
    maxWidth: [undefined, undefined, undefined, undefined, 30, 80],
  });
}

export function register(program: Command): void {
  program
    .command("list")
    .description("List the servers of the catalog (servers/*.ts)")
    .option("--json", "print a JSON array (name, transport, port, owner, description, file, tools, runs)")
    .option("--root <dir>", "repository root (default: the nearest mcp-fleet checkout)")
    .action(async (options: { json?: boolean; root?: string }) => {
      const catalog = await loadCatalogOrFail(options.root, "list the servers");
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(catalog.servers.map(listed), null, 2)}\n`);
        return;
      }
      process.stdout.write(`${renderList(catalog.servers)}\n`);
    });
}
