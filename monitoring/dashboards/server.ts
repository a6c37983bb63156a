/** Per-server dashboard: one MCP server, chosen with the `server` variable. */
import { MappingType } from "@grafana/grafana-foundation-sdk/dashboard";
import { QueryVariableBuilder, RowBuilder, VariableRefresh, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { CIRCUIT_STATES, METRICS } from "@mcp-fleet/gateway/metrics";
import type { ResolvedMonitoringOptions } from "../model.js";
import { RECORDS } from "../rules/names.js";
import { DATASOURCE, dashboardFrame, stat, timeseries } from "./panels.js";

export const SERVER_DASHBOARD_UID = "mcp-fleet-server";

const sel = `server="$server"`;

export function serverDashboard(options: ResolvedMonitoringOptions): Dashboard {
  const m = METRICS;
  const circuitText = Object.fromEntries(
    Object.entries(CIRCUIT_STATES).map(([state, value]) => [String(value), { text: state.replace("_", "-"), color: value === 0 ? "green" : value === 1 ? "orange" : "red" }]),
  );
  return dashboardFrame("MCP fleet / Server", SERVER_DASHBOARD_UID, "Calls, errors, latency and health of one MCP server behind the gateway.")
    .withVariable(
      new QueryVariableBuilder("server")
        .label("Server")
        .datasource(DATASOURCE)
        .query(`label_values(${m.backendUp.name}, server)`)
        .definition(`label_values(${m.backendUp.name}, server)`)
        .refresh(VariableRefresh.OnTimeRangeChanged),
    )
    .withRow(new RowBuilder("Health"))
    .withPanel(
      stat("Backend up", "1 when a gateway replica holds a working connection to the server.", "none", { expr: `max(${m.backendUp.name}{${sel}})` }, [
        { type: MappingType.ValueToText, options: { "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } } },
      ]),
    )
    .withPanel(
      stat("Circuit", "Worst circuit state over the gateway replicas, as calls see it: closed while any endpoint takes calls, open when every endpoint fails fast.", "none", { expr: `max(${m.circuitState.name}{${sel}})` }, [
        { type: MappingType.ValueToText, options: circuitText },
      ]),
    )
    .withPanel(stat("Calls/s", "Tool calls per second (5m rate).", "reqps", { expr: `${RECORDS.serverCallRate}{${sel}}` }))
    .withPanel(
      stat("Connection restarts (1h)", "Times the gateway re-established its connection to the server in the last hour.", "none", {
        expr: `sum(increase(${m.backendRestarts.name}{${sel}}[1h]))`,
      }),
    )
    .withRow(new RowBuilder("Calls"))
    .withPanel(
      timeseries("Calls/s by outcome", "Tool calls per second by outcome (5m rate).", "reqps", [
        { expr: `${RECORDS.serverOutcomeCallRate}{${sel}}`, legend: "{{outcome}}" },
      ]),
    )
    .withPanel(
      timeseries("Error ratio and SLO", "Share of failed calls (error, timeout, unavailable) over 5m, against the server's SLO.", "percentunit", [
        { expr: `${RECORDS.serverErrorRatio}{${sel}}`, legend: "error ratio" },
        { expr: `${RECORDS.sloErrorRatio}{${sel}} or vector(${options.slo.errorRatio})`, legend: "SLO" },
      ]),
    )
    .withPanel(
      timeseries("Latency and SLO", "Tool-call duration quantiles over 5m, against the server's p99 SLO.", "s", [
        { expr: `${RECORDS.serverLatency}{${sel}}`, legend: "p{{quantile}}" },
        { expr: `${RECORDS.sloP99Latency}{${sel}} or vector(${options.slo.p99LatencySeconds})`, legend: "p99 SLO" },
      ]),
    )
    .withPanel(
      timeseries("Error ratio by version", "Share of failed calls over 5m on each side of a canary split (stable, canary).", "percentunit", [
        { expr: `${RECORDS.versionErrorRatio}{${sel}}`, legend: "{{version}}" },
      ]),
    )
    .withPanel(
      timeseries("p99 latency by version", "p99 tool-call duration over 5m on each side of a canary split (stable, canary).", "s", [
        { expr: `${RECORDS.versionP99Latency}{${sel}}`, legend: "{{version}}" },
      ]),
    )
    .withPanel(
      timeseries("Top tools", "The ten most called tools of the server.", "reqps", [
        { expr: `topk(10, sum by (tool) (rate(${m.toolCalls.name}{${sel}}[$__rate_interval])))`, legend: "{{tool}}" },
      ]),
    )
    .withPanel(
      timeseries("Failing tools", "Calls that did not end `ok`, by tool and outcome.", "reqps", [
        { expr: `sum by (tool, outcome) (rate(${m.toolCalls.name}{${sel}, outcome!="ok"}[$__rate_interval]))`, legend: "{{tool}} {{outcome}}" },
      ]),
    )
    .withPanel(
      timeseries("Rate limited", "Calls refused by a rate limit (5m rate).", "reqps", [{ expr: `${RECORDS.serverRateLimitedRate}{${sel}}`, legend: "refused" }]),
    )
    .build();
}
