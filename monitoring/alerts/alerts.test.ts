/**
 * `promtool test rules` unit tests for every alert: each alert fires just above its threshold and stays quiet at
 * (or just below) it, for a server with its own SLO (alpha) and one on the fleet defaults (beta).
 */
import { describe, expect, it } from "vitest";
import { renderMonitoring, toYaml, ALERTS_FILE, RULES_FILE } from "../render.js";
import { promtool, withFiles } from "../testing/promtool.js";
import type { MonitoredServer } from "../model.js";

const servers: MonitoredServer[] = [
  { name: "alpha", slo: { errorRatio: 0.25, p99LatencySeconds: 0.5 } },
  { name: "beta", slo: {} },
];
// Fleet defaults chosen so that "at the threshold" is exact in floating point.
const rendered = renderMonitoring(servers, { namespace: "mcp", slo: { errorRatio: 0.5, p99LatencySeconds: 5 }, runbookBaseUrl: "https://runbooks.test/runbook.md" });
const runbook = (alert: string) => `https://runbooks.test/runbook.md#${alert.toLowerCase()}`;

interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
interface AlertCase {
  name: string;
  interval?: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test: Array<{ eval_time: string; alertname: string; exp_alerts: ExpAlert[] }>;
}

function annotations(alert: string, description: string): Record<string, string> {
  const rule = rendered.alertRules.groups.flatMap((g) => g.rules).find((r) => "alert" in r && r.alert === alert);
  if (rule === undefined || !("alert" in rule)) throw new Error(`no alert ${alert}`);
  return { summary: rule.annotations.summary, description, runbook_url: runbook(alert) };
}

/** A counter growing by `perMinute` each minute (rates come out exact: perMinute / 60 per second). */
const counter = (perMinute: number, minutes = 40) => `0+${perMinute}x${minutes}`;

/** Calls per minute: `ok`, `toolError` (a tool's own isError: a call, never a failure) and `failed` with `failedOutcome`. */
const calls = (server: string, ok: number, toolError: number, failed: number, failedOutcome = "error") => [
  { series: `mcp_gateway_tool_calls_total{server="${server}", tool="t", outcome="ok", instance="gw-0"}`, values: counter(ok) },
  { series: `mcp_gateway_tool_calls_total{server="${server}", tool="t", outcome="tool_error", instance="gw-0"}`, values: counter(toolError) },
  { series: `mcp_gateway_tool_calls_total{server="${server}", tool="t", outcome="${failedOutcome}", instance="gw-0"}`, values: counter(failed) },
];

/** Histogram with `counts[i]` observations per minute in the i-th of the buckets `les` (cumulative series). */
function histogram(server: string, les: string[], perBucket: number[]): Array<{ series: string; values: string }> {
  let cumulative = 0;
  return les.map((le, i) => {
    cumulative += perBucket[i] ?? 0;
    return { series: `mcp_gateway_tool_call_duration_seconds_bucket{server="${server}", le="${le}", instance="gw-0"}`, values: counter(cumulative) };
  });
}

const cases: AlertCase[] = [
  {
    name: "McpGatewayDown: fires when no replica is up, not while one is",
    input_series: [
      { series: 'up{job="mcp-gateway", instance="gw-0:8080"}', values: "1x5 0x20" },
      { series: 'up{job="mcp-gateway", instance="gw-1:8080"}', values: "1x10 0x15" },
    ],
    alert_rule_test: [
      { eval_time: "9m", alertname: "McpGatewayDown", exp_alerts: [] },
      { eval_time: "11m", alertname: "McpGatewayDown", exp_alerts: [] },
      {
        eval_time: "13m",
        alertname: "McpGatewayDown",
        exp_alerts: [
          {
            exp_labels: { severity: "critical" },
            exp_annotations: annotations(
              "McpGatewayDown",
              "No instance of job mcp-gateway has been scraped successfully for 2 minutes: clients cannot reach any MCP server.",
            ),
          },
        ],
      },
    ],
  },
  {
    name: "McpBackendDown: fires when every replica lost the server, not when one still holds it",
    input_series: [
      { series: 'mcp_gateway_backend_up{server="alpha", transport="stdio", instance="gw-0"}', values: "1x5 0x20" },
      { series: 'mcp_gateway_backend_up{server="alpha", transport="stdio", instance="gw-1"}', values: "1x25" },
      { series: 'mcp_gateway_backend_up{server="beta", transport="http", instance="gw-0"}', values: "1x5 0x20" },
      { series: 'mcp_gateway_backend_up{server="beta", transport="http", instance="gw-1"}', values: "1x5 0x20" },
    ],
    alert_rule_test: [
      { eval_time: "6m", alertname: "McpBackendDown", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "McpBackendDown",
        exp_alerts: [
          {
            exp_labels: { severity: "critical", server: "beta" },
            exp_annotations: annotations("McpBackendDown", "No gateway replica has a working connection to server beta: its tools fail with `unavailable`."),
          },
        ],
      },
    ],
  },
  {
    name: "McpServerErrorRatioHigh: at the SLO (alpha 25%, fleet default 50%) stays quiet",
    input_series: [...calls("alpha", 120, 60, 60), ...calls("beta", 60, 60, 120, "timeout")],
    alert_rule_test: [{ eval_time: "20m", alertname: "McpServerErrorRatioHigh", exp_alerts: [] }],
  },
  {
    name: "McpServerErrorRatioHigh: above the SLO fires, per server threshold and fleet default",
    input_series: [...calls("alpha", 60, 60, 60), ...calls("beta", 0, 60, 180, "unavailable")],
    alert_rule_test: [
      { eval_time: "3m", alertname: "McpServerErrorRatioHigh", exp_alerts: [] },
      {
        eval_time: "20m",
        alertname: "McpServerErrorRatioHigh",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha" },
            exp_annotations: annotations(
              "McpServerErrorRatioHigh",
              "33.33% of the calls to server alpha failed (error, timeout or unavailable) over 5 minutes, above its SLO.",
            ),
          },
          {
            exp_labels: { severity: "warning", server: "beta" },
            exp_annotations: annotations(
              "McpServerErrorRatioHigh",
              "75% of the calls to server beta failed (error, timeout or unavailable) over 5 minutes, above its SLO.",
            ),
          },
        ],
      },
    ],
  },
  {
    name: "McpServerLatencyHigh: p99 just under the SLO (alpha 0.5s, fleet default 5s) stays quiet",
    input_series: [...histogram("alpha", ["0.25", "0.5", "1", "+Inf"], [0, 60, 0, 0]), ...histogram("beta", ["2.5", "5", "10", "+Inf"], [0, 60, 0, 0])],
    alert_rule_test: [{ eval_time: "20m", alertname: "McpServerLatencyHigh", exp_alerts: [] }],
  },
  {
    name: "McpServerLatencyHigh: p99 above the SLO fires",
    input_series: [...histogram("alpha", ["0.25", "0.5", "1", "+Inf"], [0, 5880, 120, 0]), ...histogram("beta", ["2.5", "5", "10", "+Inf"], [0, 0, 60, 0])],
    alert_rule_test: [
      {
        eval_time: "20m",
        alertname: "McpServerLatencyHigh",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha", quantile: "0.99" },
            exp_annotations: annotations("McpServerLatencyHigh", "p99 latency of calls to server alpha is 750ms over 5 minutes, above its SLO."),
          },
          {
            exp_labels: { severity: "warning", server: "beta", quantile: "0.99" },
            exp_annotations: annotations("McpServerLatencyHigh", "p99 latency of calls to server beta is 9.95s over 5 minutes, above its SLO."),
          },
        ],
      },
    ],
  },
  {
    name: "McpCircuitOpen: open fires, half-open does not",
    input_series: [
      { series: 'mcp_gateway_circuit_state{server="alpha", instance="gw-0"}', values: "0x2 2x20" },
      { series: 'mcp_gateway_circuit_state{server="beta", instance="gw-0"}', values: "0x2 1x20" },
    ],
    alert_rule_test: [
      { eval_time: "5m", alertname: "McpCircuitOpen", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "McpCircuitOpen",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha" },
            exp_annotations: annotations("McpCircuitOpen", "The circuit for server alpha has been open for 5 minutes: the gateway fails its calls fast."),
          },
        ],
      },
    ],
  },
  {
    name: "McpRateLimitSaturated: 10% refused stays quiet, 18% fires",
    input_series: [
      { series: 'mcp_gateway_tool_calls_total{server="alpha", tool="t", outcome="ok", instance="gw-0"}', values: counter(540) },
      { series: 'mcp_gateway_rate_limited_total{server="alpha", instance="gw-0"}', values: counter(60) },
      { series: 'mcp_gateway_tool_calls_total{server="beta", tool="t", outcome="ok", instance="gw-0"}', values: counter(540) },
      { series: 'mcp_gateway_rate_limited_total{server="beta", instance="gw-0"}', values: counter(120) },
    ],
    alert_rule_test: [
      {
        eval_time: "25m",
        alertname: "McpRateLimitSaturated",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "beta" },
            exp_annotations: annotations("McpRateLimitSaturated", "18.18% of the calls to server beta were refused by a rate limit over 5 minutes."),
          },
        ],
      },
    ],
  },
  {
    name: "McpGatewayConfigInvalid: a refused reload fires, applied ones stay quiet",
    input_series: [
      { series: 'mcp_gateway_config_reloads_total{result="invalid", job="mcp-gateway", instance="gw-0"}', values: "0x10 1x30" },
      { series: 'mcp_gateway_config_reloads_total{result="applied", job="mcp-gateway", instance="gw-1"}', values: "0x10 1x30" },
      { series: 'mcp_gateway_config_reloads_total{result="invalid", job="mcp-gateway", instance="gw-1"}', values: "0x40" },
    ],
    alert_rule_test: [
      { eval_time: "5m", alertname: "McpGatewayConfigInvalid", exp_alerts: [] },
      {
        eval_time: "12m",
        alertname: "McpGatewayConfigInvalid",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", instance: "gw-0" },
            exp_annotations: annotations("McpGatewayConfigInvalid", "gw-0 refused an invalid config file in the last 10 minutes and keeps serving its previous config; its log names the field."),
          },
        ],
      },
      { eval_time: "35m", alertname: "McpGatewayConfigInvalid", exp_alerts: [] },
    ],
  },
  {
    name: "McpCanaryErrorRatioHigh: a canary failing more than its stable version fires, an equal ratio stays quiet",
    input_series: [
      { series: 'mcp_gateway_tool_calls_total{server="alpha", tool="t", outcome="ok", version="stable", instance="gw-0"}', values: counter(95) },
      { series: 'mcp_gateway_tool_calls_total{server="alpha", tool="t", outcome="error", version="stable", instance="gw-0"}', values: counter(5) },
      { series: 'mcp_gateway_tool_calls_total{server="alpha", tool="t", outcome="ok", version="canary", instance="gw-0"}', values: counter(80) },
      { series: 'mcp_gateway_tool_calls_total{server="alpha", tool="t", outcome="error", version="canary", instance="gw-0"}', values: counter(20) },
      { series: 'mcp_gateway_tool_calls_total{server="beta", tool="t", outcome="ok", version="stable", instance="gw-0"}', values: counter(90) },
      { series: 'mcp_gateway_tool_calls_total{server="beta", tool="t", outcome="error", version="stable", instance="gw-0"}', values: counter(10) },
      { series: 'mcp_gateway_tool_calls_total{server="beta", tool="t", outcome="ok", version="canary", instance="gw-0"}', values: counter(90) },
      { series: 'mcp_gateway_tool_calls_total{server="beta", tool="t", outcome="error", version="canary", instance="gw-0"}', values: counter(10) },
    ],
    alert_rule_test: [
      { eval_time: "10m", alertname: "McpCanaryErrorRatioHigh", exp_alerts: [] },
      {
        eval_time: "25m",
        alertname: "McpCanaryErrorRatioHigh",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha", version: "canary" },
            exp_annotations: annotations(
              "McpCanaryErrorRatioHigh",
              "20% of the calls to the canary of server alpha failed over 5 minutes, more than its stable version's: stop the rollout (weight 0) and look at the canary.",
            ),
          },
        ],
      },
    ],
  },
  {
    name: "McpCanaryLatencyHigh: a canary slower than its stable version fires, as fast stays quiet",
    input_series: [
      ...histogram("alpha", ["0.1", "1", "+Inf"], [100, 0, 0]).map((s) => ({ ...s, series: s.series.replace("{", '{version="stable", ') })),
      ...histogram("alpha", ["0.1", "1", "+Inf"], [0, 100, 0]).map((s) => ({ ...s, series: s.series.replace("{", '{version="canary", ') })),
      ...histogram("beta", ["0.1", "1", "+Inf"], [100, 0, 0]).map((s) => ({ ...s, series: s.series.replace("{", '{version="stable", ') })),
      ...histogram("beta", ["0.1", "1", "+Inf"], [100, 0, 0]).map((s) => ({ ...s, series: s.series.replace("{", '{version="canary", ') })),
    ],
    alert_rule_test: [
      { eval_time: "10m", alertname: "McpCanaryLatencyHigh", exp_alerts: [] },
      {
        eval_time: "25m",
        alertname: "McpCanaryLatencyHigh",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha", version: "canary" },
            exp_annotations: annotations(
              "McpCanaryLatencyHigh",
              "p99 latency of the canary of server alpha is 991ms over 5 minutes, above its stable version's: stop the rollout (weight 0) and look at the canary.",
            ),
          },
        ],
      },
    ],
  },
  {
    name: "McpGatewayAuthFailuresSpike: a few 401s stay quiet, a storm of 401/403 fires",
    input_series: [
      { series: 'mcp_gateway_http_requests_total{job="mcp-gateway", instance="gw-0", method="POST", code="200"}', values: counter(600) },
      { series: 'mcp_gateway_http_requests_total{job="mcp-gateway", instance="gw-0", method="POST", code="401"}', values: "0+10x10 100+600x30" },
      { series: 'mcp_gateway_http_requests_total{job="mcp-gateway", instance="gw-0", method="POST", code="403"}', values: "0+1x40" },
    ],
    alert_rule_test: [
      { eval_time: "10m", alertname: "McpGatewayAuthFailuresSpike", exp_alerts: [] },
      {
        eval_time: "30m",
        alertname: "McpGatewayAuthFailuresSpike",
        exp_alerts: [
          {
            exp_labels: { severity: "warning" },
            exp_annotations: annotations(
              "McpGatewayAuthFailuresSpike",
              "More than 1 request/s and 25% of all requests got 401 or 403 over 5 minutes: expired or revoked credentials, a misconfigured client or identity provider, or someone guessing keys.",
            ),
          },
        ],
      },
    ],
  },
  {
    name: "McpGatewaySessionsNearLimit: 90% stays quiet, 95% fires",
    input_series: [
      { series: 'mcp_gateway_sessions_active{job="mcp-gateway", instance="gw-0"}', values: "90x20" },
      { series: 'mcp_gateway_sessions_max{job="mcp-gateway", instance="gw-0"}', values: "100x20" },
      { series: 'mcp_gateway_sessions_active{job="mcp-gateway", instance="gw-1"}', values: "95x20" },
      { series: 'mcp_gateway_sessions_max{job="mcp-gateway", instance="gw-1"}', values: "100x20" },
    ],
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "McpGatewaySessionsNearLimit",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", job: "mcp-gateway", instance: "gw-1" },
            exp_annotations: annotations("McpGatewaySessionsNearLimit", "gw-1 uses 95% of its maximum sessions; new clients will get 503 at the limit."),
          },
        ],
      },
    ],
  },
  {
    name: "McpPodRestarting: 3 restarts in 15m fire, 2 do not, other namespaces are ignored",
    input_series: [
      { series: 'kube_pod_container_status_restarts_total{namespace="mcp", pod="mcp-memory-0", container="server"}', values: "0x5 1 2 3x40" },
      { series: 'kube_pod_container_status_restarts_total{namespace="mcp", pod="mcp-gateway-0", container="gateway"}', values: "0x5 1 2x40" },
      { series: 'kube_pod_container_status_restarts_total{namespace="other", pod="mcp-memory-0", container="server"}', values: "0x5 1 2 3x40" },
    ],
    alert_rule_test: [
      { eval_time: "7m", alertname: "McpPodRestarting", exp_alerts: [] },
      {
        eval_time: "18m",
        alertname: "McpPodRestarting",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", namespace: "mcp", pod: "mcp-memory-0", container: "server" },
            exp_annotations: annotations("McpPodRestarting", "Container server of pod mcp/mcp-memory-0 restarted 3 times in 15 minutes."),
          },
        ],
      },
      { eval_time: "35m", alertname: "McpPodRestarting", exp_alerts: [] },
    ],
  },
  {
    name: "McpBackendRestarting: 3 reconnects in 15m fire, 2 do not",
    input_series: [
      { series: 'mcp_gateway_backend_restarts_total{server="alpha", instance="gw-0"}', values: "0x5 1 2 3x40" },
      { series: 'mcp_gateway_backend_restarts_total{server="beta", instance="gw-0"}', values: "0x5 1 2x40" },
    ],
    alert_rule_test: [
      {
        eval_time: "18m",
        alertname: "McpBackendRestarting",
        exp_alerts: [
          {
            exp_labels: { severity: "warning", server: "alpha" },
            exp_annotations: annotations(
              "McpBackendRestarting",
              "The connection to server alpha was re-established 3 times in 15 minutes (a crashing stdio child or a flapping endpoint).",
            ),
          },
        ],
      },
    ],
  },
];

function testFile(selected: AlertCase[]): string {
  return toYaml({
    rule_files: [RULES_FILE, ALERTS_FILE],
    evaluation_interval: "1m",
    tests: selected.map(({ name: _name, ...rest }) => ({ interval: "1m", ...rest })),
  });
}

describe("alert unit tests (promtool test rules)", () => {
  it("covers every alert with a case where it fires and one where it stays quiet", () => {
    const alerts = rendered.alertRules.groups.flatMap((g) => g.rules.map((r) => ("alert" in r ? r.alert : "")));
    const fired = new Set(cases.flatMap((c) => c.alert_rule_test.filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname)));
    const quiet = new Set(cases.flatMap((c) => c.alert_rule_test.filter((t) => t.exp_alerts.length === 0).map((t) => t.alertname)));
    // Cases with a quiet series next to a firing one prove "does not fire" through the exact list of firing alerts.
    const quietBySeries = new Set(["McpRateLimitSaturated", "McpGatewaySessionsNearLimit", "McpBackendRestarting"]);
    expect([...fired].sort()).toEqual([...alerts].sort());
    expect(alerts.filter((a) => !quiet.has(a) && !quietBySeries.has(a))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const result = await withFiles({ ...rendered.files, "alerts.test.yaml": testFile([testCase]) }, (dir) => promtool(["test", "rules", "alerts.test.yaml"], dir));
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("fails a case whose expected alert is wrong (the harness really checks)", async () => {
    const wrong = structuredClone(cases[1]!);
    wrong.alert_rule_test[1]!.exp_alerts[0]!.exp_labels.server = "alpha";
    const result = await withFiles({ ...rendered.files, "alerts.test.yaml": testFile([wrong]) }, (dir) => promtool(["test", "rules", "alerts.test.yaml"], dir));
    expect(result.status).toBe(1);
    expect(result.output).toContain("McpBackendDown");
  });
});
