/**
 * Mode `docker` (the dev stack): Prometheus and Grafana containers. The generated files are written to a host
 * directory (`docker.configDir`) and bind-mounted read-only: unlike `uploads`, bind mounts work with a read-only
 * root filesystem, and the files stay readable on the host. A content-hash label replaces the containers when
 * the files change (Prometheus and Grafana read them only at start). Both containers run as non-root users with
 * read-only root filesystems, all capabilities dropped, `no-new-privileges`, memory limits, tmpfs for the data they
 * write, and health checks; they listen on 127.0.0.1 only.
 */
import type * as docker from "@pulumi/docker";
import { grafanaIni, grafanaProvisioning } from "../../monitoring/grafana-provisioning.js";
import { prometheusConfig } from "../../monitoring/prometheus-config.js";
import { toYaml, type RenderedMonitoring } from "../../monitoring/render.js";
import { DEFAULT_GRAFANA_IMAGE, DEFAULT_PROMETHEUS_IMAGE, type DockerArgs } from "./args.js";
import { checksum, DEFAULT_OWNER } from "./common.js";

export interface DockerInput {
  component: string;
  owner?: string;
  job: string;
  scrapeInterval: string;
  docker: DockerArgs;
  rendered: RenderedMonitoring;
}

export interface DockerPlan {
  /** Files to write under `configDir`, by relative path. */
  files: Record<string, string>;
  containers: Array<{ name: string; args: docker.ContainerArgs }>;
  prometheusUrl: string;
  grafanaUrl: string;
}

const HARDENING = {
  readOnly: true,
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  restart: "unless-stopped",
  init: true,
} satisfies Partial<docker.ContainerArgs>;

export function dockerPlan(input: DockerInput): DockerPlan {
  const d = input.docker;
  const owner = input.owner ?? DEFAULT_OWNER;
  const networkMode = d.networkMode ?? "host";
  const promPort = d.prometheusPort ?? 9090;
  const grafanaPort = d.grafanaPort ?? 3000;
  const host = networkMode === "host";
  // On the host network, both listen on loopback; on a Docker network, they listen inside it and publish to loopback.
  const promHost = host ? "127.0.0.1" : `${input.component}-prometheus`;

  const files: Record<string, string> = {
    "prometheus/prometheus.yml": toYaml(
      prometheusConfig({
        job: input.job,
        targets: { kind: "static", targets: [d.gatewayAddress ?? "127.0.0.1:8080"] },
        scrapeInterval: input.scrapeInterval,
        evaluationInterval: input.scrapeInterval,
        ruleFiles: ["rules/*.yaml"],
      }),
    ),
  };
  for (const [path, content] of Object.entries(input.rendered.files)) {
    if (path.startsWith("rules/")) files[`prometheus/${path}`] = content;
    if (path.startsWith("dashboards/")) files[`grafana/${path}`] = content;
  }
  for (const [path, content] of Object.entries(
    grafanaProvisioning({ prometheusUrl: `http://${promHost}:${promPort}`, dashboardsPath: "/var/lib/grafana-dashboards" }),
  )) {
    files[`grafana/provisioning/${path}`] = content;
  }
  // A dev stack on loopback: anonymous access as Admin, no login.
  files["grafana/grafana.ini"] = grafanaIni({
    httpAddr: host ? "127.0.0.1" : "0.0.0.0",
    httpPort: grafanaPort,
    anonymousRole: "Admin",
    homeDashboardPath: "/var/lib/grafana-dashboards/mcp-fleet-overview.json",
  });
  const promFiles = Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith("prometheus/")));
  const grafanaFiles = Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith("grafana/")));

  const labels = (app: string, hash: string) => [
    { label: "app.kubernetes.io/name", value: app },
    { label: "app.kubernetes.io/component", value: "monitoring" },
    { label: "app.kubernetes.io/part-of", value: "mcp-fleet" },
    { label: "mcp-fleet.dev/owner", value: owner },
    { label: "mcp-fleet.dev/config-checksum", value: hash },
  ];
  const bind = (source: string, target: string) => ({ type: "bind", source: `${d.configDir}/${source}`, target, readOnly: true });

  const prometheus: docker.ContainerArgs = {
    name: `${input.component}-prometheus`,
    image: d.prometheusImage ?? DEFAULT_PROMETHEUS_IMAGE,
    user: "65534:65534",
    ...HARDENING,
    networkMode,
    ...(host ? {} : { ports: [{ internal: promPort, external: promPort, ip: "127.0.0.1" }] }),
    command: [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      "--storage.tsdb.retention.time=2d",
      `--web.listen-address=${host ? "127.0.0.1" : "0.0.0.0"}:${promPort}`,
    ],
    mounts: [bind("prometheus", "/etc/prometheus")],
    tmpfs: { "/prometheus": "rw,size=512m,uid=65534,gid=65534" },
    memory: 512,
    healthcheck: {
      tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${promPort}/-/ready`],
      interval: "10s",
      timeout: "5s",
      retries: 3,
    },
    labels: labels("prometheus", checksum(promFiles)),
  };
  const grafana: docker.ContainerArgs = {
    name: `${input.component}-grafana`,
    image: d.grafanaImage ?? DEFAULT_GRAFANA_IMAGE,
    user: "472:472",
    ...HARDENING,
    networkMode,
    ...(host ? {} : { ports: [{ internal: grafanaPort, external: grafanaPort, ip: "127.0.0.1" }] }),
    mounts: [
      bind("grafana/grafana.ini", "/etc/grafana/grafana.ini"),
      bind("grafana/provisioning", "/etc/grafana/provisioning"),
      bind("grafana/dashboards", "/var/lib/grafana-dashboards"),
    ],
    tmpfs: { "/var/lib/grafana": "rw,size=256m,uid=472,gid=472", "/tmp": "rw,size=64m" },
    memory: 512,
    healthcheck: {
      tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${grafanaPort}/api/health`],
      interval: "10s",
      timeout: "5s",
      retries: 3,
    },
    labels: labels("grafana", checksum(grafanaFiles)),
  };
  return {
    files,
    containers: [
      { name: `${input.component}-prometheus`, args: prometheus },
      { name: `${input.component}-grafana`, args: grafana },
    ],
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    grafanaUrl: `http://127.0.0.1:${grafanaPort}`,
  };
}
