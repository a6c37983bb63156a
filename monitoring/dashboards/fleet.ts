/** Fleet overview: calls/s, error ratio, latency and backend health for the whole fleet and by server. */
import { RowBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { METRICS } from "@mcp-fleet/gateway/metrics";
import type { ResolvedMonitoringOptions } from "../model.js";
import { RECORDS } from "../rules/names.js";
import { dashboardFrame, stat, timeseries } from "./panels.js";

export const FLEET_DASHBOARD_UID = "mcp-fleet-overview";

export function fleetDashboard(_options: ResolvedMonitoringOptions): Dashboard {
  return dashboardFrame("MCP fleet / Overview", FLEET_DASHBOARD_UID, "Calls, errors and latency of every MCP server behind the gateway.")
    .withRow(new RowBuilder("Fleet"))
    .withPanel(stat("Calls/s", "Tool calls per second through the gateway (5m rate).", "reqps", { expr: RECORDS.fleetCallRate }))
    .withPanel(stat("Error ratio", "Share of tool calls that failed (error, timeout, unavailable) over 5m.", "percentunit", { expr: RECORDS.fleetErrorRatio }))
    .withPanel(stat("p99 latency", "99th percentile of tool-call duration over 5m.", "s", { expr: `${RECORDS.fleetLatency}{quantile="0.99"}` }))
    .withPanel(
      stat("Backends up", "Servers with a working connection from at least one gateway replica.", "none", {
        expr: RECORDS.fleetBackendsUp,
      }),
    )
    .withRow(new RowBuilder("By server"))
    .withPanel(timeseries("Calls/s by server", "Tool calls per second, by server (5m rate).", "reqps", [{ expr: RECORDS.serverCallRate, legend: "{{server}}" }]))
    .withPanel(
      timeseries("Error ratio by server", "Share of failed tool calls, by server (5m).", "percentunit", [{ expr: RECORDS.serverErrorRatio, legend: "{{server}}" }]),
    )
    .withPanel(
      timeseries("p99 latency by server", "99th percentile of tool-call duration, by server (5m).", "s", [
        { expr: `${RECORDS.serverLatency}{quantile="0.99"}`, legend: "{{server}}" },
      ]),
    )
    .withPanel(
      timeseries("Backends up", "1 when a gateway replica holds a working connection to the server.", "none", [
        { expr: `max by (server) (${METRICS.backendUp.name})`, legend: "{{server}}" },
      ]),
    )
    .build();
}
