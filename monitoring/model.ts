/**
 * What the monitoring generators need to know about a fleet: the servers (name and resolved SLO) and a few
 * deployment facts (the gateway's scrape job, where its pods run). Built from the catalog in one place so rules,
 * alerts and dashboards never re-declare a server or a threshold.
 */
import { DEFAULT_PREFIX } from "../servers/catalog/derive.js";
import type { ServerSpec } from "../servers/catalog/spec.js";

/** Fleet-wide service-level objectives, used for every server whose spec leaves `slo` fields unset. */
export interface FleetSlo {
  /** Highest acceptable ratio of failed tool calls (0-1). @default 0.05 */
  errorRatio: number;
  /** Highest acceptable p99 tool-call latency in seconds. @default 5 */
  p99LatencySeconds: number;
}

export const FLEET_SLO_DEFAULTS: Readonly<FleetSlo> = Object.freeze({ errorRatio: 0.05, p99LatencySeconds: 5 });

/** A server as monitoring sees it: its name and only the SLO fields its spec sets (others fall back to the fleet). */
export interface MonitoredServer {
  name: string;
  slo: { errorRatio?: number; p99LatencySeconds?: number };
}

export interface MonitoringOptions {
  /** Prometheus `job` label of the gateway's scrape target. @default "mcp-gateway" */
  gatewayJob?: string;
  /** Kubernetes namespace of the fleet's pods, for the pod-restart alert. @default undefined (any namespace) */
  namespace?: string;
  /** Name prefix of the fleet's pods (`<prefix>-<server>-...`, `<prefix>-gateway-...`). @default "mcp" */
  podPrefix?: string;
  /** Fleet SLO defaults. @default FLEET_SLO_DEFAULTS */
  slo?: Partial<FleetSlo>;
  /** Base URL of the runbook; alerts link to `<runbookBaseUrl>#<anchor>`. @default DEFAULT_RUNBOOK_URL */
  runbookBaseUrl?: string;
}

export const DEFAULT_RUNBOOK_URL = "https://github.com/mcp-fleet/mcp-fleet/blob/main/monitoring/runbook.md";

/** Options with every default applied. */
export interface ResolvedMonitoringOptions {
  gatewayJob: string;
  namespace: string | undefined;
  podPrefix: string;
  slo: FleetSlo;
  runbookBaseUrl: string;
}

export function resolveOptions(options: MonitoringOptions = {}): ResolvedMonitoringOptions {
  return {
    gatewayJob: options.gatewayJob ?? "mcp-gateway",
    namespace: options.namespace,
    podPrefix: options.podPrefix ?? DEFAULT_PREFIX,
    slo: {
      errorRatio: options.slo?.errorRatio ?? FLEET_SLO_DEFAULTS.errorRatio,
      p99LatencySeconds: options.slo?.p99LatencySeconds ?? FLEET_SLO_DEFAULTS.p99LatencySeconds,
    },
    runbookBaseUrl: options.runbookBaseUrl ?? DEFAULT_RUNBOOK_URL,
  };
}

/** The monitored servers of a catalog, sorted by name so generated files are stable. */
export function monitoredServers(catalog: { servers: ReadonlyArray<{ spec: Pick<ServerSpec, "name" | "slo"> }> }): MonitoredServer[] {
  return catalog.servers
    .map(({ spec }) => ({ name: spec.name, slo: { ...(spec.slo ?? {}) } }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
