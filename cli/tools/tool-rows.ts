/**
 * The rows of `mcp-fleet tools`: every tool a client sees through the gateway, and every tool a server has that the
 * spec's tool filter hides (a hidden tool is not in the gateway's list, so only the server's own list shows it).
 * Exposed names always come from the gateway's own `exposedName`; nothing here builds one.
 */
import type { BackendConfig, GatewayConfig } from "@mcp-fleet/gateway/config";
import { compileToolFilter } from "@mcp-fleet/gateway/filter";
import { exposedName } from "@mcp-fleet/gateway/naming";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ServerList } from "./server-lists.js";

export interface ToolRow {
  /** The name clients call (for a hidden tool: the name it would have). */
  name: string;
  /** The server that owns it, when known. */
  server?: string;
  /** The server's own name of the tool, when the server's list was read. */
  tool?: string;
  description: string;
  /** Hidden by the spec's tool filter (`tools.allow`/`tools.deny`): clients do not see it. */
  hidden: boolean;
  /**
   * In the gateway's list (with a gateway), or would be (without one: not hidden). A tool the filter lets through
   * that a running gateway does not list is `false` (its backend is down there, or the gateway runs another config).
   */
  exposed: boolean;
}

export interface RowsInput {
  naming: GatewayConfig["naming"];
  /** The backends of the config (their names, order and tool filters). */
  backends: readonly Pick<BackendConfig, "name" | "tools">[];
  /** The servers' own lists (those that could be read). */
  serverLists: readonly ServerList[];
  /** The gateway's `tools/list`, when a gateway answered. */
  gatewayTools?: readonly Tool[];
}

/** The server of an exposed name by its prefix, for servers whose own list was not read. */
function ownerByPrefix(name: string, input: RowsInput): string | undefined {
  if (input.naming.passthrough) return input.backends.length === 1 ? input.backends[0]?.name : undefined;
  let best: string | undefined;
  for (const { name: server } of input.backends) {
    if (name.startsWith(`${server}${input.naming.separator}`) && server.length > (best?.length ?? -1)) best = server;
  }
  return best;
}

/** Rows in the order of the config's backends; within a server, the exposed tools first, in list order. */
export function toolRows(input: RowsInput): ToolRow[] {
  const filters = new Map(input.backends.map((b) => [b.name, compileToolFilter(b.tools)]));
  // Every tool the servers themselves list, by the name the gateway gives it.
  const own = new Map<string, { server: string; tool: Tool; hidden: boolean }>();
  for (const list of input.serverLists) {
    if (!("tools" in list)) continue;
    const allowed = filters.get(list.server) ?? (() => true);
    for (const tool of list.tools) own.set(exposedName(list.server, tool.name, input.naming), { server: list.server, tool, hidden: !allowed(tool.name) });
  }

  const rows: ToolRow[] = [];
  const seen = new Set<string>();
  for (const tool of input.gatewayTools ?? []) {
    const known = own.get(tool.name);
    const server = known?.server ?? ownerByPrefix(tool.name, input);
    rows.push({
      name: tool.name,
      ...(server !== undefined ? { server } : {}),
      ...(known !== undefined ? { tool: known.tool.name } : {}),
      description: tool.description ?? "",
      hidden: false,
      exposed: true,
    });
    seen.add(tool.name);
  }
  const viaGateway = input.gatewayTools !== undefined;
  for (const [name, { server, tool, hidden }] of own) {
    if (seen.has(name)) continue;
    rows.push({ name, server, tool: tool.name, description: tool.description ?? "", hidden, exposed: !viaGateway && !hidden });
  }

  const order = new Map(input.backends.map((b, i) => [b.name, i]));
  const rank = (row: ToolRow) => (row.server === undefined ? order.size : (order.get(row.server) ?? order.size));
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => rank(a.row) - rank(b.row) || Number(a.row.hidden || !a.row.exposed) - Number(b.row.hidden || !b.row.exposed) || a.i - b.i)
    .map(({ row }) => row);
}
