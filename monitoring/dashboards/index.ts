/** Every dashboard of the fleet, by file name. */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ResolvedMonitoringOptions } from "../model.js";
import { fleetDashboard } from "./fleet.js";
import { gatewayDashboard } from "./gateway.js";
import { serverDashboard } from "./server.js";

export function dashboards(options: ResolvedMonitoringOptions): Record<string, Dashboard> {
  return {
    "mcp-fleet-overview.json": fleetDashboard(options),
    "mcp-fleet-server.json": serverDashboard(options),
    "mcp-fleet-gateway.json": gatewayDashboard(options),
  };
}

/** Every PromQL expression of a dashboard, with the panel it belongs to. */
export function dashboardQueries(dashboard: Dashboard): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  for (const panel of dashboard.panels ?? []) {
    if (!("targets" in panel) || panel.targets === undefined) continue;
    for (const target of panel.targets) {
      const expr = (target as { expr?: string }).expr;
      if (expr !== undefined) out.push({ panel: panel.title ?? "(untitled)", expr });
    }
  }
  return out;
}
