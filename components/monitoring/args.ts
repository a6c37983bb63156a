/**
 * Arguments of the Monitoring component, their defaults and their validation (pure: tests call these without
 * Pulumi). Three modes:
 * - `kube-prometheus-stack`: the cluster already runs the Prometheus Operator and Grafana's dashboard sidecar
 *   (the common case). We add a ServiceMonitor or PodMonitor, a PrometheusRule and dashboard ConfigMaps.
 * - `standalone`: no monitoring stack in the cluster. We run a Prometheus and a Grafana of our own as plain,
 *   hardened Deployments (not the kube-prometheus-stack Helm chart: a Helm v4 Chart is one opaque resource under
 *   mocks and to the policy pack, so its workloads could be neither tested nor policy-checked).
 * - `docker`: the dev stack. Prometheus and Grafana containers next to the gateway container.
 */
import type { MonitoredServer, MonitoringOptions } from "../../monitoring/model.js";

export type MonitoringMode = "kube-prometheus-stack" | "standalone" | "docker";

/** Where the gateway's pods are, for the Kubernetes modes. */
export interface KubernetesGatewayTarget {
  /** Namespace of the gateway (and of the resources this component creates). */
  namespace: string;
  /** Labels of the gateway's pods. */
  podSelector: Record<string, string>;
  /** Labels of the gateway's Service (ServiceMonitor). @default podSelector */
  serviceSelector?: Record<string, string>;
  /** Name of the port serving `/metrics` (the container port for a PodMonitor, the Service port for a ServiceMonitor). @default "http" */
  portName?: string;
  /** Number of that port on the pods (standalone mode scrapes pods directly). @default 8080 */
  port?: number;
}

export interface KubePrometheusStackArgs {
  /** How the operator finds the gateway; `none` when something else (the Fleet's scrape hook) already adds a monitor. @default "ServiceMonitor" */
  monitor?: "ServiceMonitor" | "PodMonitor" | "none";
  /** Labels the operator selects monitors and rules by (the Helm release's `release` label by default). @default { release: "kube-prometheus-stack" } */
  selectorLabels?: Record<string, string>;
  /** Namespace the Grafana sidecar watches for dashboard ConfigMaps. @default the gateway's namespace */
  dashboardsNamespace?: string;
  /** Grafana folder (sidecar `grafana_folder` annotation). @default "MCP fleet" */
  folder?: string;
}

export interface StandaloneArgs {
  /** @default "quay.io/prometheus/prometheus:v2.53.2" */
  prometheusImage?: string;
  /** @default "docker.io/grafana/grafana:12.2.0" */
  grafanaImage?: string;
  /** Prometheus TSDB retention. @default "15d" */
  retention?: string;
  /** A PersistentVolumeClaim for Prometheus' data; without it data lives in an emptyDir and is lost with the pod. @default undefined */
  persistence?: { size: string; storageClassName?: string };
  /** Secret holding Grafana's admin password; without it Grafana allows anonymous Viewer access only. @default undefined */
  grafanaAdminPasswordSecret?: { name: string; key: string };
}

export interface DockerArgs {
  /** Address Prometheus scrapes the gateway at. @default "127.0.0.1:8080" */
  gatewayAddress?: string;
  /** Host directory the generated files are written to and bind-mounted (read-only) from. Absolute. */
  configDir: string;
  /** Write the files into `configDir` when resources are created (never in previews); offline plans pass false. @default true */
  writeFiles?: boolean;
  /** Docker network mode of both containers. @default "host" */
  networkMode?: string;
  /** @default 9090 */
  prometheusPort?: number;
  /** @default 3000 */
  grafanaPort?: number;
  /** @default "quay.io/prometheus/prometheus:v2.53.2" */
  prometheusImage?: string;
  /** @default "docker.io/grafana/grafana:12.2.0" */
  grafanaImage?: string;
}

export interface MonitoringArgs {
  mode: MonitoringMode;
  /** The fleet's servers (name and SLO), e.g. `monitoredServers(catalog)`. */
  servers: readonly MonitoredServer[];
  /** Rule and dashboard options (fleet SLO defaults, job name, runbook URL). */
  options?: MonitoringOptions;
  /** Kubernetes modes: the gateway's pods. */
  gateway?: KubernetesGatewayTarget;
  kubePrometheusStack?: KubePrometheusStackArgs;
  standalone?: StandaloneArgs;
  docker?: DockerArgs;
  /** Scrape and rule evaluation interval. @default "30s" */
  scrapeInterval?: string;
}

export const DEFAULT_PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v2.53.2";
export const DEFAULT_GRAFANA_IMAGE = "docker.io/grafana/grafana:12.2.0";

const MODES: readonly MonitoringMode[] = ["kube-prometheus-stack", "standalone", "docker"];
const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Every problem with `args`, each naming the field and the fix; empty when valid. */
export function validateMonitoringArgs(args: MonitoringArgs): string[] {
  const problems: string[] = [];
  if (!MODES.includes(args.mode)) problems.push(`\`mode\` "${String(args.mode)}" is not one of ${MODES.join(", ")}. Pick the one that matches where the fleet runs.`);
  if (args.scrapeInterval !== undefined && !DURATION.test(args.scrapeInterval)) {
    problems.push(`\`scrapeInterval\` "${args.scrapeInterval}" is not a Prometheus duration. Use e.g. 30s or 1m.`);
  }
  if (args.mode === "kube-prometheus-stack" || args.mode === "standalone") {
    if (args.gateway === undefined) problems.push(`\`gateway\` is required in mode ${args.mode}. Pass the gateway's namespace and pod labels.`);
    else {
      if (!DNS1123.test(args.gateway.namespace)) problems.push(`\`gateway.namespace\` "${args.gateway.namespace}" is not a valid namespace name. Use a DNS-1123 label such as mcp.`);
      if (Object.keys(args.gateway.podSelector).length === 0) problems.push("`gateway.podSelector` is empty. Pass the labels of the gateway's pods, or every pod of the namespace would be scraped.");
      const port = args.gateway.port;
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) problems.push(`\`gateway.port\` ${port} is outside 1-65535. Pass the port the gateway serves /metrics on.`);
    }
  }
  if (args.mode === "standalone" && args.standalone?.retention !== undefined && !DURATION.test(args.standalone.retention)) {
    problems.push(`\`standalone.retention\` "${args.standalone.retention}" is not a Prometheus duration. Use e.g. 15d.`);
  }
  if (args.mode === "docker") {
    if (args.docker === undefined) problems.push("`docker` is required in mode docker. Pass at least `docker.configDir`, an absolute host directory.");
    else {
      if (!args.docker.configDir.startsWith("/")) problems.push(`\`docker.configDir\` "${args.docker.configDir}" is not absolute. Docker bind mounts need an absolute host path.`);
      for (const key of ["prometheusPort", "grafanaPort"] as const) {
        const port = args.docker[key];
        if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) problems.push(`\`docker.${key}\` ${port} is outside 1024-65535. Pick a free unprivileged port.`);
      }
      if (args.docker.gatewayAddress !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(args.docker.gatewayAddress)) {
        problems.push(`\`docker.gatewayAddress\` "${args.docker.gatewayAddress}" is not host:port. Pass the address Prometheus reaches the gateway at, e.g. 127.0.0.1:8080.`);
      }
    }
  }
  return problems;
}

export class MonitoringArgsError extends Error {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(`Monitoring "${component}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "MonitoringArgsError";
  }
}
