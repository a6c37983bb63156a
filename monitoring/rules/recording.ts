/**
 * Recording rules: per-server call rate, error ratio and latency quantiles, fleet totals, and the per-server SLO
 * thresholds the alerts compare against. All windows are 5m.
 */
import { METRICS } from "@mcp-fleet/gateway/metrics";
import type { MonitoredServer } from "../model.js";
import { failedOutcomeMatcher, QUANTILES, RECORDS } from "./names.js";
import type { RecordingRule, RuleGroup } from "./types.js";

const m = METRICS;

export function serverRecordingRules(): RuleGroup<RecordingRule> {
  const rules: RecordingRule[] = [
    { record: RECORDS.serverCallRate, expr: `sum by (server) (rate(${m.toolCalls.name}[5m]))` },
    { record: RECORDS.serverOutcomeCallRate, expr: `sum by (server, outcome) (rate(${m.toolCalls.name}[5m]))` },
    { record: RECORDS.serverFailureRate, expr: `sum by (server) (rate(${m.toolCalls.name}{${failedOutcomeMatcher}}[5m]))` },
    {
      // No failure series yet means a ratio of 0, not no data.
      record: RECORDS.serverErrorRatio,
      expr: `(${RECORDS.serverFailureRate} or on (server) (0 * ${RECORDS.serverCallRate})) / ${RECORDS.serverCallRate}`,
    },
    ...QUANTILES.map((q) => ({
      record: RECORDS.serverLatency,
      expr: `histogram_quantile(${q}, sum by (server, le) (rate(${m.toolCallDuration.name}_bucket[5m])))`,
      labels: { quantile: q },
    })),
    {
      // Per side of a canary split; a side without failures has a ratio of 0.
      record: RECORDS.versionErrorRatio,
      expr: `(sum by (server, version) (rate(${m.toolCalls.name}{${failedOutcomeMatcher}}[5m])) or on (server, version) (0 * sum by (server, version) (rate(${m.toolCalls.name}[5m])))) / sum by (server, version) (rate(${m.toolCalls.name}[5m]))`,
    },
    { record: RECORDS.versionP99Latency, expr: `histogram_quantile(0.99, sum by (server, version, le) (rate(${m.toolCallDuration.name}_bucket[5m])))` },
    {
      // The counter appears with the first refusal; until then a server with calls has a refusal rate of 0.
      record: RECORDS.serverRateLimitedRate,
      expr: `sum by (server) (rate(${m.rateLimited.name}[5m])) or (0 * ${RECORDS.serverCallRate})`,
    },
  ];
  return { name: "mcp-fleet.server.rules", rules };
}

export function fleetRecordingRules(): RuleGroup<RecordingRule> {
  const rules: RecordingRule[] = [
    { record: RECORDS.fleetCallRate, expr: `sum(${RECORDS.serverCallRate})` },
    {
      record: RECORDS.fleetErrorRatio,
      expr: `(sum(${RECORDS.serverFailureRate}) or (0 * sum(${RECORDS.serverCallRate}))) / sum(${RECORDS.serverCallRate})`,
    },
    ...QUANTILES.map((q) => ({
      record: RECORDS.fleetLatency,
      expr: `histogram_quantile(${q}, sum by (le) (rate(${m.toolCallDuration.name}_bucket[5m])))`,
      labels: { quantile: q },
    })),
    { record: RECORDS.fleetBackendsUp, expr: `sum(max by (server) (${m.backendUp.name}))` },
    { record: RECORDS.fleetBackends, expr: `count(max by (server) (${m.backendUp.name}))` },
    { record: RECORDS.fleetSessionsActive, expr: `sum(${m.sessionsActive.name})` },
  ];
  return { name: "mcp-fleet.fleet.rules", rules };
}

/** One constant series per server whose spec sets an SLO field; the alerts fall back to the fleet default. */
export function sloThresholdRules(servers: readonly MonitoredServer[]): RuleGroup<RecordingRule> {
  const rules: RecordingRule[] = [];
  for (const server of servers) {
    if (server.slo.errorRatio !== undefined) {
      rules.push({ record: RECORDS.sloErrorRatio, expr: `vector(${server.slo.errorRatio})`, labels: { server: server.name } });
    }
    if (server.slo.p99LatencySeconds !== undefined) {
      rules.push({ record: RECORDS.sloP99Latency, expr: `vector(${server.slo.p99LatencySeconds})`, labels: { server: server.name } });
    }
  }
  return { name: "mcp-fleet.slo.rules", rules };
}

export function recordingRuleGroups(servers: readonly MonitoredServer[]): RuleGroup<RecordingRule>[] {
  const groups = [serverRecordingRules(), fleetRecordingRules()];
  const slo = sloThresholdRules(servers);
  // Prometheus rejects an empty group; a fleet on defaults only has no SLO group.
  if (slo.rules.length > 0) groups.push(slo);
  return groups;
}
