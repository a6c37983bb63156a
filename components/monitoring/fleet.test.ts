import { describe, expect, it } from "vitest";
import { monitoringArgsForFleet, type FleetScrapeFacts } from "./fleet.js";
import { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
import { renderMonitoring } from "../../monitoring/render.js";
import { catalogOf, clusterFleet } from "../testing/fixtures.js";

const server = (name: string, slo: { errorRatio?: number }, port: number) => ({ file: `servers/${name}.ts`, spec: { name, description: "x", owner: "platform", transport: { type: "stdio" as const, command: "node" }, port, slo } });
const fleet = clusterFleet(catalogOf([server("memory", { errorRatio: 0.02 }, 3102), server("everything", {}, 3101)]), "tools", { prefix: "acme" });
const scrape: FleetScrapeFacts = { portName: "mcp", hookAddsServiceMonitor: false };

describe("monitoringArgsForFleet", () => {
  it("takes servers and SLOs, the gateway's namespace, labels, port and job, and the pods' prefix from the fleet model", () => {
    const args = monitoringArgsForFleet(fleet, scrape, { mode: "standalone" });
    expect(args.servers).toEqual([
      { name: "everything", slo: {} },
      { name: "memory", slo: { errorRatio: 0.02 } },
    ]);
    const selector = { "app.kubernetes.io/name": "mcp-fleet-gateway", "app.kubernetes.io/instance": "acme-gateway" };
    expect(args.gateway).toEqual({ namespace: "tools", podSelector: selector, serviceSelector: selector, portName: "mcp", port: 8080 });
    expect(args.options).toEqual({ gatewayJob: "acme-gateway", namespace: "tools", podPrefix: "acme" });
    expect(args.owner).toBe("platform");
    expect(monitoringArgsForFleet(clusterFleet(catalogOf([server("memory", {}, 3102)]), "tools", { owner: "infra" }), scrape, { mode: "standalone" }).owner).toBe("infra");
    const alerts = renderMonitoring(args.servers, args.options).files["rules/mcp-fleet.alerts.yaml"]!;
    expect(alerts).toContain('absent(up{job="acme-gateway"} == 1)');
    expect(alerts).toContain('kube_pod_container_status_restarts_total{namespace="tools", pod=~"acme-.*"}');
  });

  it("adds no second ServiceMonitor when the Fleet's scrape hook already made one", () => {
    const withHook = monitoringArgsForFleet(fleet, { ...scrape, hookAddsServiceMonitor: true }, { mode: "kube-prometheus-stack" });
    expect(withHook.kubePrometheusStack).toEqual({ monitor: "none" });
    const objects = kubePrometheusStackObjects({
      component: "acme-monitoring",
      owner: "platform",
      job: "acme-gateway",
      scrapeInterval: "30s",
      gateway: withHook.gateway!,
      stack: withHook.kubePrometheusStack!,
      rendered: renderMonitoring(withHook.servers, withHook.options),
    });
    expect(objects.map((o) => o.kind)).toEqual(["PrometheusRule", "ConfigMap", "ConfigMap", "ConfigMap"]);
    expect(monitoringArgsForFleet(fleet, scrape, { mode: "kube-prometheus-stack" }).kubePrometheusStack).toEqual({ monitor: "ServiceMonitor" });
    expect(monitoringArgsForFleet(fleet, { ...scrape, hookAddsServiceMonitor: true }, { mode: "kube-prometheus-stack", kubePrometheusStack: { monitor: "PodMonitor" } }).kubePrometheusStack).toEqual({
      monitor: "PodMonitor",
    });
  });
});
