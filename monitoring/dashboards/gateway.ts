/** Gateway internals: replicas, sessions, HTTP and JSON-RPC traffic, CPU, memory and event-loop lag. */
import { QueryVariableBuilder, RowBuilder, VariableRefresh, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { METRICS } from "@mcp-fleet/gateway/metrics";
import type { ResolvedMonitoringOptions } from "../model.js";
import { DATASOURCE, dashboardFrame, timeseries } from "./panels.js";

export const GATEWAY_DASHBOARD_UID = "mcp-fleet-gateway";

export function gatewayDashboard(options: ResolvedMonitoringOptions): Dashboard {
  const m = METRICS;
  const sel = `job="${options.gatewayJob}", instance=~"$instance"`;
  return dashboardFrame("MCP fleet / Gateway", GATEWAY_DASHBOARD_UID, "The gateway process: sessions, traffic, CPU, memory and event-loop lag by replica.")
    .withVariable(
      new QueryVariableBuilder("instance")
        .label("Replica")
        .datasource(DATASOURCE)
        .query(`label_values(up{job="${options.gatewayJob}"}, instance)`)
        .definition(`label_values(up{job="${options.gatewayJob}"}, instance)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    )
    .withRow(new RowBuilder("Sessions"))
    .withPanel(
      timeseries("Sessions", "Open client sessions per replica, and the configured maximum.", "none", [
        { expr: `${m.sessionsActive.name}{${sel}}`, legend: "{{instance}} active" },
        { expr: `${m.sessionsMax.name}{${sel}}`, legend: "{{instance}} max" },
      ]),
    )
    .withPanel(
      timeseries("Session churn", "Sessions created and expired for idleness per second.", "ops", [
        { expr: `sum by (instance) (rate(${m.sessionsCreated.name}{${sel}}[$__rate_interval]))`, legend: "{{instance}} created" },
        { expr: `sum by (instance) (rate(${m.sessionsExpired.name}{${sel}}[$__rate_interval]))`, legend: "{{instance}} expired" },
      ]),
    )
    .withRow(new RowBuilder("Traffic"))
    .withPanel(
      timeseries("HTTP requests by code", "HTTP requests per second by status code.", "reqps", [
        { expr: `sum by (code) (rate(${m.httpRequests.name}{${sel}}[$__rate_interval]))`, legend: "{{code}}" },
      ]),
    )
    .withPanel(
      timeseries("HTTP p99 latency by method", "99th percentile of the time to answer an HTTP request.", "s", [
        { expr: `histogram_quantile(0.99, sum by (method, le) (rate(${m.httpRequestDuration.name}_bucket{${sel}}[$__rate_interval])))`, legend: "{{method}}" },
      ]),
    )
    .withPanel(
      timeseries("JSON-RPC requests", "Client JSON-RPC requests per second by MCP method and outcome.", "reqps", [
        { expr: `sum by (method, outcome) (rate(${m.rpcRequests.name}{${sel}}[$__rate_interval]))`, legend: "{{method}} {{outcome}}" },
      ], 24),
    )
    .withPanel(
      timeseries("Config reloads", "Reloads of the config file (a change, or SIGHUP) by result; invalid: refused, the old config keeps serving.", "none", [
        { expr: `sum by (result) (increase(${m.configReloads.name}{${sel}}[$__rate_interval]))`, legend: "{{result}}" },
      ]),
    )
    .withRow(new RowBuilder("Identity and access"))
    .withPanel(
      timeseries("Authentication failures", "Requests refused per second: 401 (no, malformed or invalid credential), 403 (insufficient scope).", "reqps", [
        // `or vector(0)`: a flat zero while nothing is refused (a gateway without auth never answers 401), not "No data".
        { expr: `sum by (code) (rate(${m.httpRequests.name}{${sel}, code=~"401|403"}[$__rate_interval])) or vector(0)`, legend: "{{code}}" },
      ]),
    )
    .withPanel(
      timeseries("Rate-limited calls", "Calls refused by a rate limit per second, by server.", "reqps", [
        { expr: `sum by (server) (rate(${m.rateLimited.name}{${sel}}[$__rate_interval]))`, legend: "{{server}}" },
      ]),
    )
    .withRow(new RowBuilder("Process"))
    .withPanel(
      timeseries("CPU", "CPU seconds used per second, per replica.", "percentunit", [
        { expr: `rate(process_cpu_seconds_total{${sel}}[$__rate_interval])`, legend: "{{instance}}" },
      ]),
    )
    .withPanel(
      timeseries("Memory", "Resident memory and V8 heap in use, per replica.", "bytes", [
        { expr: `process_resident_memory_bytes{${sel}}`, legend: "{{instance}} rss" },
        { expr: `nodejs_heap_size_used_bytes{${sel}}`, legend: "{{instance}} heap" },
      ]),
    )
    .withPanel(
      timeseries("Event-loop lag", "Node.js event-loop lag per replica: high values delay every call.", "s", [
        { expr: `nodejs_eventloop_lag_seconds{${sel}}`, legend: "{{instance}}" },
      ]),
    )
    .withPanel(
      timeseries("Replicas up", "1 when Prometheus scraped the replica successfully.", "none", [{ expr: `up{job="${options.gatewayJob}", instance=~"$instance"}`, legend: "{{instance}}" }]),
    )
    .build();
}
