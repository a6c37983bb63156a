/**
 * The metrics contract: every metric the gateway exports, with its type and labels.
 *
 * The gateway registers exactly these (see `metrics.ts`); monitoring rules, alerts and dashboards may use only
 * these names and labels, and a test fails when either side drifts. Label values are bounded: `server` and `tool`
 * come from the config and the backends' tool lists (unknown names are reported as `"unknown"`), `method` from a
 * fixed list of MCP methods (others as `"other"`), `outcome` from {@link OUTCOMES}. No client or session labels.
 */
export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram buckets in seconds. */
  readonly buckets?: readonly number[];
}

/**
 * Outcome of a proxied call: `ok`, a tool-level error (`isError`), a JSON-RPC error, a timeout, a dead backend, or
 * served by a fallback server (capability fallback: the primary could not take it).
 */
export const OUTCOMES = ["ok", "tool_error", "error", "timeout", "unavailable", "fallback"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Sides of a canary split: the `version` label of per-call metrics (bounded: two values). */
export const VERSIONS = ["stable", "canary"] as const;

/** Results of a config reload: applied, the same as what runs, or refused (invalid file; the old config keeps serving). */
export const RELOAD_RESULTS = ["applied", "unchanged", "invalid"] as const;

/** Circuit breaker states as gauge values. */
export const CIRCUIT_STATES = { closed: 0, half_open: 1, open: 2 } as const;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export const METRICS = {
  httpRequests: {
    name: "mcp_gateway_http_requests_total",
    type: "counter",
    help: "HTTP requests to the gateway by method and status code.",
    labels: ["method", "code"],
  },
  httpRequestDuration: {
    name: "mcp_gateway_http_request_duration_seconds",
    type: "histogram",
    help: "Time to answer an HTTP request (to the first byte of a streamed answer).",
    labels: ["method"],
    buckets: LATENCY_BUCKETS,
  },
  rpcRequests: {
    name: "mcp_gateway_rpc_requests_total",
    type: "counter",
    help: "JSON-RPC requests from clients by MCP method and outcome.",
    labels: ["method", "outcome"],
  },
  toolCalls: {
    name: "mcp_gateway_tool_calls_total",
    type: "counter",
    help: "Tool calls routed to a backend by server, tool, outcome and side of a canary split (version: stable or canary).",
    labels: ["server", "tool", "outcome", "version"],
  },
  toolCallDuration: {
    name: "mcp_gateway_tool_call_duration_seconds",
    type: "histogram",
    help: "Duration of tool calls routed to a backend, by server and side of a canary split (version: stable or canary).",
    labels: ["server", "version"],
    buckets: LATENCY_BUCKETS,
  },
  backendUp: {
    name: "mcp_gateway_backend_up",
    type: "gauge",
    help: "1 when the gateway holds a working connection to the backend, 0 otherwise.",
    labels: ["server", "transport"],
  },
  backendRestarts: {
    name: "mcp_gateway_backend_restarts_total",
    type: "counter",
    help: "Times a backend connection was re-established (stdio child restarted, HTTP reconnected).",
    labels: ["server"],
  },
  circuitState: {
    name: "mcp_gateway_circuit_state",
    type: "gauge",
    help: "Circuit breaker state of a server as its calls see it: 0 closed (some endpoint takes calls), 1 half-open (none does, one probes), 2 open (calls fail fast).",
    labels: ["server"],
  },
  rateLimited: {
    name: "mcp_gateway_rate_limited_total",
    type: "counter",
    help: "Calls refused by a rate limit, by server.",
    labels: ["server"],
  },
  configReloads: {
    name: "mcp_gateway_config_reloads_total",
    type: "counter",
    help: "Config reloads (file change or SIGHUP) by result: applied, unchanged, invalid (refused; the old config keeps serving).",
    labels: ["result"],
  },
  sessionsActive: {
    name: "mcp_gateway_sessions_active",
    type: "gauge",
    help: "Client sessions currently open on this replica.",
    labels: [],
  },
  sessionsMax: {
    name: "mcp_gateway_sessions_max",
    type: "gauge",
    help: "Configured maximum of client sessions per replica.",
    labels: [],
  },
  sessionsCreated: {
    name: "mcp_gateway_sessions_created_total",
    type: "counter",
    help: "Client sessions initialized.",
    labels: [],
  },
  sessionsExpired: {
    name: "mcp_gateway_sessions_expired_total",
    type: "counter",
    help: "Client sessions closed for idleness.",
    labels: [],
  },
} as const satisfies Record<string, MetricDefinition>;

/** Metrics from prom-client's default collectors that dashboards rely on (process and Node.js runtime). */
export const RUNTIME_METRICS = [
  "process_cpu_seconds_total",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
  "nodejs_heap_size_used_bytes",
] as const;

/** Every metric family name a scrape of the gateway yields (histograms as their base name). */
export function contractMetricNames(): string[] {
  return [...Object.values(METRICS).map((m) => m.name), ...RUNTIME_METRICS];
}
