/**
 * The Monitoring component under Pulumi mocks, in each mode: the resources it registers, their computed inputs,
 * their hardening, and the verdict of the fleet's own policy pack on them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createInProcessAnalyzer } from "../../policies/harness/in-process.js";
import { promtool, withFiles } from "../../monitoring/testing/promtool.js";
import { policies } from "../../policies/policies.js";
import type * as MonitoringModule from "./index.js";
import type { MonitoringComponentArgs } from "./index.js";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
let registered: Registered[] = [];
let mod: typeof MonitoringModule;
const configDir = mkdtempSync(join(tmpdir(), "mcp-fleet-monitoring-docker-"));

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "mcp-fleet",
    "test",
    false,
  );
  mod = await import("./index.js");
});
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
beforeEach(() => {
  registered = [];
});

const servers = [
  { name: "memory", slo: { errorRatio: 0.01 } },
  { name: "filesystem", slo: {} },
];
const gateway = { namespace: "mcp", podSelector: { "app.kubernetes.io/name": "gateway", "app.kubernetes.io/instance": "mcp-gateway" }, portName: "metrics", port: 8080 };

/** Builds the component and waits until every child registration reached the mocks (bounded). */
async function build(name: string, args: MonitoringComponentArgs) {
  const component = new mod.Monitoring(name, args);
  const expected = 1 + Object.keys(component.objects).length + component.containers.length;
  const deadline = Date.now() + 10_000;
  while (registered.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(registered.length).toBe(expected);
  return component;
}

const byType = (type: string) => registered.filter((r) => r.type === type);
const one = (type: string, name: string) => {
  const found = registered.find((r) => r.type === type && r.name === name);
  if (found === undefined) throw new Error(`no ${type} ${name}; registered: ${registered.map((r) => `${r.type} ${r.name}`).join(", ")}`);
  return found.inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function policyViolations(): Promise<string[]> {
  const analyzer = createInProcessAnalyzer(policies);
  const records = registered.filter((r) => !r.type.startsWith("mcp-fleet:")).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
  const out: string[] = [];
  for (const record of records) for (const v of await analyzer.analyze(record)) if (v.enforcementLevel === "mandatory") out.push(`${v.policyName}: ${v.detail}`);
  for (const v of await analyzer.analyzeStack(records)) if (v.enforcementLevel === "mandatory") out.push(`${v.policyName}: ${v.detail}`);
  await analyzer.close();
  return out;
}

describe("Monitoring, mode kube-prometheus-stack", () => {
  it("adds a ServiceMonitor, a PrometheusRule and sidecar-labelled dashboard ConfigMaps", async () => {
    await build("mcp-monitoring", { mode: "kube-prometheus-stack", servers, gateway });
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-gateway",
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-overview",
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-server",
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule mcp-monitoring-rules",
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor mcp-monitoring-gateway",
      "mcp-fleet:monitoring:Monitoring mcp-monitoring",
    ]);
    const monitor = one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "mcp-monitoring-gateway");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(monitor.spec).toEqual({
      selector: { matchLabels: gateway.podSelector },
      namespaceSelector: { matchNames: ["mcp"] },
      endpoints: [{ port: "metrics", path: "/metrics", interval: "30s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "mcp-gateway" }] }],
    });
    const rule = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "mcp-monitoring-rules");
    const groups = rule.spec.groups as Array<{ name: string; rules: Array<Record<string, unknown>> }>;
    expect(groups.map((g) => g.name)).toEqual(["mcp-fleet.server.rules", "mcp-fleet.fleet.rules", "mcp-fleet.slo.rules", "mcp-fleet.gateway.alerts", "mcp-fleet.server.alerts"]);
    expect(groups[2]!.rules).toEqual([{ record: "server:mcp_slo_error_ratio:threshold", expr: "vector(0.01)", labels: { server: "memory" } }]);
    // The pod-restart alert is scoped to the gateway's namespace.
    expect(JSON.stringify(groups[3])).toContain('kube_pod_container_status_restarts_total{namespace=\\"mcp\\", pod=~\\"mcp-.*\\"}');
    for (const cm of byType("kubernetes:core/v1:ConfigMap")) {
      expect(cm.inputs.metadata).toMatchObject({ namespace: "mcp", labels: { grafana_dashboard: "1" }, annotations: { grafana_folder: "MCP fleet" } });
      const [file, json] = Object.entries(cm.inputs.data as Record<string, string>)[0]!;
      expect(JSON.parse(json).uid).toBe(file.replace(".json", ""));
    }
    expect(await policyViolations()).toEqual([]);
  });

  it("adds a PodMonitor instead when asked, with custom operator selector labels and dashboard namespace", async () => {
    await build("mcp-mon", {
      mode: "kube-prometheus-stack",
      servers,
      gateway,
      scrapeInterval: "15s",
      kubePrometheusStack: { monitor: "PodMonitor", selectorLabels: { prometheus: "main" }, dashboardsNamespace: "grafana" },
    });
    const monitor = one("kubernetes:monitoring.coreos.com/v1:PodMonitor", "mcp-mon-gateway");
    expect(monitor.metadata.labels.prometheus).toBe("main");
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "15s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "mcp-gateway" }] },
    ]);
    expect(byType("kubernetes:core/v1:ConfigMap").map((c) => (c.inputs.metadata as { namespace: string }).namespace)).toEqual(["grafana", "grafana", "grafana"]);
  });
});

describe("Monitoring, mode standalone", () => {
  it("runs a hardened Prometheus and Grafana, provisioned with the rules, datasource and dashboards", async () => {
    const component = await build("mcp-monitoring", { mode: "standalone", servers, gateway });
    const deployments = byType("kubernetes:apps/v1:Deployment");
    expect(deployments.map((d) => d.name).sort()).toEqual(["mcp-monitoring-grafana", "mcp-monitoring-prometheus"]);
    for (const d of deployments) {
      const spec = (d.inputs.spec as any).template.spec; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits).toBeDefined();
        expect(c.readinessProbe.httpGet.path).toMatch(/^\/(-\/ready|api\/health)$/);
        expect(c.livenessProbe.httpGet.path).toMatch(/^\/(-\/healthy|api\/health)$/);
        expect(c.image).toMatch(/:v?\d+\.\d+\.\d+$/);
      }
      expect((d.inputs.spec as any).template.metadata.annotations["mcp-fleet.dev/config-checksum"]).toMatch(/^[0-9a-f]{16}$/); // eslint-disable-line @typescript-eslint/no-explicit-any
    }
    // Prometheus scrapes every gateway pod through a headless Service (DNS discovery, no RBAC).
    const promConfig = parse((one("kubernetes:core/v1:ConfigMap", "mcp-monitoring-prometheus-config").data as Record<string, string>)["prometheus.yml"]!);
    expect(promConfig.scrape_configs).toEqual([
      { job_name: "mcp-gateway", metrics_path: "/metrics", dns_sd_configs: [{ names: ["mcp-monitoring-gateway-pods.mcp.svc.cluster.local"], type: "A", port: 8080, refresh_interval: "30s" }] },
    ]);
    expect(promConfig.rule_files).toEqual(["mcp-fleet.alerts.yaml", "mcp-fleet.rules.yaml"]);
    // The ConfigMap's files, as mounted in /etc/prometheus, pass promtool.
    const mounted = one("kubernetes:core/v1:ConfigMap", "mcp-monitoring-prometheus-config").data as Record<string, string>;
    const check = await withFiles(mounted, (dir) => promtool(["check", "config", "prometheus.yml"], dir));
    expect(check.output).toContain("SUCCESS: 2 rule files found");
    expect(one("kubernetes:core/v1:Service", "mcp-monitoring-gateway-pods").spec).toMatchObject({ clusterIP: "None", selector: gateway.podSelector });
    expect(byType("kubernetes:rbac.authorization.k8s.io/v1:Role")).toEqual([]);
    // Grafana's datasource points at our Prometheus; the dashboards come from a ConfigMap.
    const datasources = parse((one("kubernetes:core/v1:ConfigMap", "mcp-monitoring-grafana-datasources").data as Record<string, string>)["prometheus.yaml"]!);
    expect(datasources.datasources[0]).toMatchObject({ type: "prometheus", url: "http://mcp-monitoring-prometheus.mcp.svc.cluster.local:9090", isDefault: true });
    expect(Object.keys(one("kubernetes:core/v1:ConfigMap", "mcp-monitoring-grafana-dashboards").data).sort()).toEqual([
      "mcp-fleet-gateway.json",
      "mcp-fleet-overview.json",
      "mcp-fleet-server.json",
    ]);
    // Only Grafana may query Prometheus; Prometheus may reach only DNS and the gateway's pods, Grafana only DNS and Prometheus.
    const grafanaPods = { matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "mcp-monitoring-grafana" } };
    const prometheusPolicy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "mcp-monitoring-prometheus").spec;
    expect(prometheusPolicy.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(prometheusPolicy.ingress).toEqual([{ from: [{ podSelector: grafanaPods }], ports: [{ protocol: "TCP", port: 9090 }] }]);
    expect(prometheusPolicy.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: gateway.podSelector } }], ports: [{ protocol: "TCP", port: 8080 }] });
    expect(prometheusPolicy.egress[0].ports).toEqual([{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "mcp-monitoring-grafana").spec.egress[1]).toEqual({
      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "mcp-monitoring-prometheus" } } }],
      ports: [{ protocol: "TCP", port: 9090 }],
    });
    expect(byType("kubernetes:core/v1:PersistentVolumeClaim")).toEqual([]);
    expect(await new Promise((resolve) => component.grafanaUrl.apply(resolve))).toBe("http://mcp-monitoring-grafana.mcp.svc.cluster.local:3000");
    // Every native object is a complete, schema-valid manifest.
    const models: Record<string, string> = {
      "kubernetes:apps/v1:Deployment": "kubernetes-models/apps/v1/Deployment",
      "kubernetes:core/v1:Service": "kubernetes-models/v1/Service",
      "kubernetes:core/v1:ConfigMap": "kubernetes-models/v1/ConfigMap",
      "kubernetes:core/v1:ServiceAccount": "kubernetes-models/v1/ServiceAccount",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
    };
    const validated = registered.filter((r) => models[r.type] !== undefined);
    expect(validated.length).toBe(14);
    for (const r of validated) {
      // kubernetes-models 5 is ESM only (its exports have no `require` condition): import it.
      const Model = Object.values((await import(models[r.type]!)) as Record<string, new (o: unknown) => { validate(): void }>)[0]!;
      expect(() => new Model(r.inputs).validate(), `${r.type} ${r.name}`).not.toThrow();
    }
    expect(await policyViolations()).toEqual([]);
  });

  it("keeps Prometheus' data on a PersistentVolumeClaim when persistence is set", async () => {
    await build("mcp-monitoring", { mode: "standalone", servers, gateway, standalone: { persistence: { size: "20Gi", storageClassName: "gp3" } } });
    expect(one("kubernetes:core/v1:PersistentVolumeClaim", "mcp-monitoring-prometheus-data").spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "20Gi" } },
      storageClassName: "gp3",
    });
    const volumes = one("kubernetes:apps/v1:Deployment", "mcp-monitoring-prometheus").spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "mcp-monitoring-prometheus-data" } });
  });
});

describe("Monitoring, mode docker", () => {
  it("runs hardened Prometheus and Grafana containers with the generated files bind-mounted read-only", async () => {
    const component = await build("mcp-monitoring", { mode: "docker", servers, docker: { configDir, gatewayAddress: "127.0.0.1:8080" } });
    const containers = byType("docker:index/container:Container");
    expect(containers.map((c) => c.name)).toEqual(["mcp-monitoring-prometheus", "mcp-monitoring-grafana"]);
    for (const c of containers) {
      expect(c.inputs).toMatchObject({ readOnly: true, capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"], networkMode: "host", memory: 512 });
      expect(c.inputs.user).toMatch(/^[1-9]\d*:\d+$/);
      for (const m of c.inputs.mounts as Array<{ source: string; readOnly: boolean; type: string }>) {
        expect(m).toMatchObject({ type: "bind", readOnly: true });
        expect(existsSync(m.source)).toBe(true);
      }
    }
    const prometheus = one("docker:index/container:Container", "mcp-monitoring-prometheus");
    expect(prometheus.command).toContain("--web.listen-address=127.0.0.1:9090");
    const written = parse(readFileSync(join(configDir, "prometheus/prometheus.yml"), "utf8"));
    expect(written.scrape_configs[0].static_configs).toEqual([{ targets: ["127.0.0.1:8080"] }]);
    expect(existsSync(join(configDir, "prometheus/rules/mcp-fleet.alerts.yaml"))).toBe(true);
    expect(existsSync(join(configDir, "grafana/dashboards/mcp-fleet-server.json"))).toBe(true);
    expect(readFileSync(join(configDir, "grafana/provisioning/datasources/prometheus.yaml"), "utf8")).toContain("url: http://127.0.0.1:9090");
    expect(readFileSync(join(configDir, "grafana/grafana.ini"), "utf8")).toContain("[server]\nhttp_addr = 127.0.0.1\nhttp_port = 3000");
    const check = promtool(["check", "config", "prometheus.yml"], join(configDir, "prometheus"));
    expect(check.output).toContain("SUCCESS: 2 rule files found");
    expect(await new Promise((resolve) => component.grafanaUrl.apply(resolve))).toBe("http://127.0.0.1:3000");
    expect(await policyViolations()).toEqual([]);
  });

  it("replaces the containers when the rendered files change (config checksum label)", async () => {
    const label = () => (one("docker:index/container:Container", "mcp-monitoring-prometheus").labels as Array<{ label: string; value: string }>).find((l) => l.label === "mcp-fleet.dev/config-checksum")!.value;
    await build("mcp-monitoring", { mode: "docker", servers, docker: { configDir } });
    const before = label();
    registered = [];
    await build("mcp-monitoring", { mode: "docker", servers: [{ name: "memory", slo: { errorRatio: 0.02 } }], docker: { configDir } });
    expect(label()).not.toBe(before);
  });
});

describe("Monitoring arguments", () => {
  it("reports every problem with the field and the fix, before creating anything", () => {
    expect(() =>
      new mod.Monitoring("mcp-bad", {
        mode: "standalone",
        servers,
        scrapeInterval: "30",
        gateway: { namespace: "MCP", podSelector: {}, port: 70000 },
        standalone: { retention: "forever" },
      }),
    ).toThrow(
      [
        'Monitoring "mcp-bad" has invalid arguments:',
        '  - `scrapeInterval` "30" is not a Prometheus duration. Use e.g. 30s or 1m.',
        '  - `gateway.namespace` "MCP" is not a valid namespace name. Use a DNS-1123 label such as mcp.',
        "  - `gateway.podSelector` is empty. Pass the labels of the gateway's pods, or every pod of the namespace would be scraped.",
        "  - `gateway.port` 70000 is outside 1-65535. Pass the port the gateway serves /metrics on.",
        '  - `standalone.retention` "forever" is not a Prometheus duration. Use e.g. 15d.',
      ].join("\n"),
    );
    expect(() => new mod.Monitoring("mcp-bad", { mode: "docker", servers, docker: { configDir: "relative/dir", prometheusPort: 80 } })).toThrow(
      [
        'Monitoring "mcp-bad" has invalid arguments:',
        '  - `docker.configDir` "relative/dir" is not absolute. Docker bind mounts need an absolute host path.',
        "  - `docker.prometheusPort` 80 is outside 1024-65535. Pick a free unprivileged port.",
      ].join("\n"),
    );
    expect(() => new mod.Monitoring("mcp-bad", { mode: "kube-prometheus-stack", servers })).toThrow(
      "`gateway` is required in mode kube-prometheus-stack. Pass the gateway's namespace and pod labels.",
    );
  });
});
