/**
 * Alerting rules. PascalCase names, a `severity` label, and `summary`, `description` and `runbook_url`
 * (an anchor of monitoring/runbook.md, the lower-cased alert name) on every alert.
 */
import { METRICS } from "@mcp-fleet/gateway/metrics";
import type { ResolvedMonitoringOptions } from "../model.js";
import { RECORDS } from "../rules/names.js";
import type { AlertingRule, RuleGroup } from "../rules/types.js";

/** Fixed alert thresholds (SLO thresholds come from the catalog). */
export const ALERT_THRESHOLDS = {
  /** Share of a server's calls refused by rate limiting. */
  rateLimitedRatio: 0.1,
  /** Share of `maxSessions` in use on one replica. */
  sessionsRatio: 0.9,
  /** Container restarts of a fleet pod within 15 minutes. */
  podRestarts15m: 3,
  /** Re-established backend connections (stdio child restarts, reconnects) within 15 minutes. */
  backendRestarts15m: 3,
  /** Answers 401 or 403 per second, over all replicas, before an auth-failure spike alerts. */
  authFailuresPerSecond: 1,
  /** Share of all answers that are 401 or 403 before an auth-failure spike alerts. */
  authFailureRatio: 0.25,
} as const;

/** External metrics the alerts use besides the gateway's own (Prometheus' `up`, kube-state-metrics). */
export const EXTERNAL_METRICS: Readonly<Record<string, readonly string[]>> = {
  up: ["job", "instance"],
  kube_pod_container_status_restarts_total: ["namespace", "pod", "container"],
};

export function runbookUrl(options: ResolvedMonitoringOptions, alert: string): string {
  return `${options.runbookBaseUrl}#${alert.toLowerCase()}`;
}

type AlertDraft = Omit<AlertingRule, "annotations"> & { annotations: { summary: string; description: string } };

export function alertRuleGroups(options: ResolvedMonitoringOptions): RuleGroup<AlertingRule>[] {
  const m = METRICS;
  const job = options.gatewayJob;
  const t = ALERT_THRESHOLDS;
  const p99 = `${RECORDS.serverLatency}{quantile="0.99"}`;
  const podSelector = [options.namespace === undefined ? undefined : `namespace="${options.namespace}"`, `pod=~"${options.podPrefix}-.*"`]
    .filter((s) => s !== undefined)
    .join(", ");

  const gateway: AlertDraft[] = [
    {
      alert: "McpGatewayDown",
      expr: `absent(up{job="${job}"} == 1)`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: "The MCP gateway is down.",
        description: `No instance of job ${job} has been scraped successfully for 2 minutes: clients cannot reach any MCP server.`,
      },
    },
    {
      alert: "McpGatewaySessionsNearLimit",
      expr: `${m.sessionsActive.name} / ${m.sessionsMax.name} > ${t.sessionsRatio}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "A gateway replica is close to its session limit.",
        description: `{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its maximum sessions; new clients will get 503 at the limit.`,
      },
    },
    {
      alert: "McpGatewayConfigInvalid",
      expr: `sum by (instance) (increase(${m.configReloads.name}{result="invalid"}[10m])) > 0`,
      labels: { severity: "warning" },
      annotations: {
        summary: "A gateway replica refused its new config file.",
        description: "{{ $labels.instance }} refused an invalid config file in the last 10 minutes and keeps serving its previous config; its log names the field.",
      },
    },
    {
      alert: "McpGatewayAuthFailuresSpike",
      expr: `sum(rate(${m.httpRequests.name}{job="${job}", code=~"401|403"}[5m])) > ${t.authFailuresPerSecond} and sum(rate(${m.httpRequests.name}{job="${job}", code=~"401|403"}[5m])) / sum(rate(${m.httpRequests.name}{job="${job}"}[5m])) > ${t.authFailureRatio}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Many requests to the MCP gateway are refused as unauthenticated or forbidden.",
        description: `More than ${t.authFailuresPerSecond} request/s and ${t.authFailureRatio * 100}% of all requests got 401 or 403 over 5 minutes: expired or revoked credentials, a misconfigured client or identity provider, or someone guessing keys.`,
      },
    },
    {
      alert: "McpPodRestarting",
      expr: `increase(kube_pod_container_status_restarts_total{${podSelector}}[15m]) >= ${t.podRestarts15m}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "A fleet pod is restarting.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | humanize }} times in 15 minutes.`,
      },
    },
  ];

  const servers: AlertDraft[] = [
    {
      alert: "McpBackendDown",
      expr: `max by (server) (${m.backendUp.name}) == 0`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: "An MCP server is unreachable from the gateway.",
        description: "No gateway replica has a working connection to server {{ $labels.server }}: its tools fail with `unavailable`.",
      },
    },
    {
      alert: "McpServerErrorRatioHigh",
      expr: `${RECORDS.serverErrorRatio} > on (server) group_left () (${RECORDS.sloErrorRatio} or on (server) (0 * ${RECORDS.serverErrorRatio} + ${options.slo.errorRatio}))`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "An MCP server fails more calls than its SLO allows.",
        description: "{{ $value | humanizePercentage }} of the calls to server {{ $labels.server }} failed (error, timeout or unavailable) over 5 minutes, above its SLO.",
      },
    },
    {
      alert: "McpServerLatencyHigh",
      expr: `${p99} > on (server) group_left () (${RECORDS.sloP99Latency} or on (server) (0 * ${p99} + ${options.slo.p99LatencySeconds}))`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "An MCP server's p99 latency is above its SLO.",
        description: "p99 latency of calls to server {{ $labels.server }} is {{ $value | humanizeDuration }} over 5 minutes, above its SLO.",
      },
    },
    {
      alert: "McpCircuitOpen",
      expr: `max by (server) (${m.circuitState.name}) == 2`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The gateway's circuit breaker for an MCP server is open.",
        description: "The circuit for server {{ $labels.server }} has been open for 5 minutes: the gateway fails its calls fast.",
      },
    },
    {
      alert: "McpCanaryErrorRatioHigh",
      expr: `${RECORDS.versionErrorRatio}{version="canary"} > on (server) group_left () ${RECORDS.versionErrorRatio}{version="stable"}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "A canary fails more calls than the stable version of its server.",
        description: "{{ $value | humanizePercentage }} of the calls to the canary of server {{ $labels.server }} failed over 5 minutes, more than its stable version's: stop the rollout (weight 0) and look at the canary.",
      },
    },
    {
      alert: "McpCanaryLatencyHigh",
      expr: `${RECORDS.versionP99Latency}{version="canary"} > on (server) group_left () ${RECORDS.versionP99Latency}{version="stable"}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "A canary is slower than the stable version of its server.",
        description: "p99 latency of the canary of server {{ $labels.server }} is {{ $value | humanizeDuration }} over 5 minutes, above its stable version's: stop the rollout (weight 0) and look at the canary.",
      },
    },
    {
      alert: "McpRateLimitSaturated",
      expr: `${RECORDS.serverRateLimitedRate} / (${RECORDS.serverRateLimitedRate} + on (server) ${RECORDS.serverCallRate}) > ${t.rateLimitedRatio}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Rate limiting refuses many calls to an MCP server.",
        description: "{{ $value | humanizePercentage }} of the calls to server {{ $labels.server }} were refused by a rate limit over 5 minutes.",
      },
    },
    {
      alert: "McpBackendRestarting",
      expr: `sum by (server) (increase(${m.backendRestarts.name}[15m])) >= ${t.backendRestarts15m}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The gateway keeps re-establishing its connection to an MCP server.",
        description: "The connection to server {{ $labels.server }} was re-established {{ $value | humanize }} times in 15 minutes (a crashing stdio child or a flapping endpoint).",
      },
    },
  ];

  const withRunbook = (drafts: AlertDraft[]): AlertingRule[] =>
    drafts.map((d) => ({ ...d, annotations: { ...d.annotations, runbook_url: runbookUrl(options, d.alert) } }));
  return [
    { name: "mcp-fleet.gateway.alerts", rules: withRunbook(gateway) },
    { name: "mcp-fleet.server.alerts", rules: withRunbook(servers) },
  ];
}
