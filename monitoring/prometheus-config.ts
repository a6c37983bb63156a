/**
 * prometheus.yml for a Prometheus of our own (local, Docker or in-cluster) that scrapes the gateway and loads the
 * generated rules. With kube-prometheus-stack, a ServiceMonitor replaces this file.
 */
export type GatewayTargets =
  /** Fixed `host:port` targets (local runs, Docker). */
  | { kind: "static"; targets: string[] }
  /**
   * Every ready pod behind a headless Kubernetes Service, found through DNS A records (one target per gateway
   * replica). DNS discovery needs no API access (no RBAC for Prometheus) and works in every Prometheus build,
   * including Debian's, which lacks Kubernetes discovery.
   */
  | { kind: "dns"; name: string; port: number };

export interface PrometheusConfigOptions {
  /** `job` label of the gateway's targets; alerts and dashboards select it. */
  job: string;
  targets: GatewayTargets;
  /** @default "15s" */
  scrapeInterval?: string;
  /** @default "15s" */
  evaluationInterval?: string;
  /** Rule files, relative to prometheus.yml or absolute. @default ["rules/*.yaml"] */
  ruleFiles?: string[];
  /** @default "/metrics" */
  metricsPath?: string;
}

export function prometheusConfig(options: PrometheusConfigOptions): Record<string, unknown> {
  const job: Record<string, unknown> = {
    job_name: options.job,
    metrics_path: options.metricsPath ?? "/metrics",
  };
  if (options.targets.kind === "static") {
    job.static_configs = [{ targets: options.targets.targets }];
  } else {
    job.dns_sd_configs = [{ names: [options.targets.name], type: "A", port: options.targets.port, refresh_interval: "30s" }];
  }
  return {
    global: { scrape_interval: options.scrapeInterval ?? "15s", evaluation_interval: options.evaluationInterval ?? "15s" },
    rule_files: options.ruleFiles ?? ["rules/*.yaml"],
    scrape_configs: [job],
  };
}
