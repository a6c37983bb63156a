import { describe, expect, it } from "vitest";
import { monitoringArgsForFleet, type FleetGatewayFacts } from "./fleet.js";
import { kubePrometheusStackObjects } from "./kube-prometheus-stack.js";
import { renderMonitoring } from "../../monitoring/render.js";

const catalog = { servers: [{ spec: { name: "memory", slo: { errorRatio: 0.02 } } }, { spec: { name: "everything", slo: {} } }] };
const gateway: FleetGatewayFacts = {
  namespace: "tools",
  serviceName: "acme-gateway",
  podSelector: { "app.kubernetes.io/instance": "acme-gateway" },
  portName: "mcp",
  port: 8080,
  prefix: "acme",
  hookAddsServiceMonitor: false,
};

describe("monitoringArgsForFleet", () => {
  it("takes servers and SLOs from the catalog and the gateway's namespace, labels, port and job from the Fleet", () => {
    const args = monitoringArgsForFleet(catalog, gateway, { mode: "standalone" });
    expect(args.servers).toEqual([
      { name: "everything", slo: {} },
      { name: "memory", slo: { errorRatio: 0.02 } },
    ]);
    expect(args.gateway).toEqual({ namespace: "tools", podSelector: gateway.podSelector, serviceSelector: gateway.podSelector, portName: "mcp", port: 8080 });
    expect(args.options).toEqual({ gatewayJob: "acme-gateway", namespace: "tools", podPrefix: "acme" });
    const alerts = renderMonitoring(args.servers, args.options).files["rules/mcp-fleet.alerts.yaml"]!;
    expect(alerts).toContain('absent(up{job="acme-gateway"} == 1)');
    expect(alerts).toContain('kube_pod_container_status_restarts_total{namespace="tools", pod=~"acme-.*"}');
  });

  it("adds no second ServiceMonitor when the Fleet's scrape hook already made one", () => {
    const withHook = monitoringArgsForFleet(catalog, { ...gateway, hookAddsServiceMonitor: true }, { mode: "kube-prometheus-stack" });
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
    expect(monitoringArgsForFleet(catalog, gateway, { mode: "kube-prometheus-stack" }).kubePrometheusStack).toEqual({ monitor: "ServiceMonitor" });
    expect(monitoringArgsForFleet(catalog, { ...gateway, hookAddsServiceMonitor: true }, { mode: "kube-prometheus-stack", kubePrometheusStack: { monitor: "PodMonitor" } }).kubePrometheusStack).toEqual({
      monitor: "PodMonitor",
    });
  });
});
