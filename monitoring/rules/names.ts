/**
 * Names of the recording rules, in Prometheus' `level:metric:operations` form. Alerts and dashboards import these
 * instead of spelling them out, so a rename breaks the build, not a panel.
 */
import { METRICS, OUTCOMES, type Outcome } from "@mcp-fleet/gateway/metrics";

/** Outcomes that count against a server's error budget: the gateway or the backend failed the call.
 * `tool_error` (the tool itself reported `isError`, e.g. for bad arguments) is a successful round trip. */
export const FAILED_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => o === "error" || o === "timeout" || o === "unavailable");

/** The latency quantiles recorded per server and for the fleet. */
export const QUANTILES = ["0.5", "0.95", "0.99"] as const;

const calls = METRICS.toolCalls.name.replace(/_total$/, "");
const duration = METRICS.toolCallDuration.name;
const rateLimited = METRICS.rateLimited.name.replace(/_total$/, "");

export const RECORDS = {
  serverCallRate: `server:${calls}:rate5m`,
  serverOutcomeCallRate: `server_outcome:${calls}:rate5m`,
  serverFailureRate: `server:${calls.replace("tool_calls", "tool_call_failures")}:rate5m`,
  serverErrorRatio: `server:${calls.replace("tool_calls", "tool_call_errors")}:ratio_rate5m`,
  serverLatency: `server_quantile:${duration}:histogram_quantile5m`,
  serverRateLimitedRate: `server:${rateLimited}:rate5m`,
  /** Per server and side of a canary split (`version`: stable or canary): what the canary alerts compare. */
  versionErrorRatio: `server_version:${calls.replace("tool_calls", "tool_call_errors")}:ratio_rate5m`,
  versionP99Latency: `server_version:${duration}:p99_5m`,
  fleetCallRate: `fleet:${calls}:rate5m`,
  fleetErrorRatio: `fleet:${calls.replace("tool_calls", "tool_call_errors")}:ratio_rate5m`,
  fleetLatency: `fleet_quantile:${duration}:histogram_quantile5m`,
  fleetBackendsUp: `fleet:${METRICS.backendUp.name}:sum`,
  fleetBackends: `fleet:${METRICS.backendUp.name}:count`,
  fleetSessionsActive: `fleet:${METRICS.sessionsActive.name}:sum`,
  /** Per-server SLO thresholds (only for servers whose spec sets them; others use the fleet default). */
  sloErrorRatio: "server:mcp_slo_error_ratio:threshold",
  sloP99Latency: "server:mcp_slo_p99_latency_seconds:threshold",
} as const;

export const failedOutcomeMatcher = `outcome=~"${FAILED_OUTCOMES.join("|")}"`;
