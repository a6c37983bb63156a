/**
 * Mode `kube-prometheus-stack`: the cluster runs the Prometheus Operator and Grafana with its dashboard sidecar.
 * We add a ServiceMonitor (or PodMonitor) for the gateway, a PrometheusRule with our recording and alerting
 * rules, and one ConfigMap per dashboard labelled `grafana_dashboard: "1"` for the sidecar.
 */
import type { KubePrometheusStackArgs, KubernetesGatewayTarget } from "./args.js";
import { type K8sObject, monitoringLabels } from "./common.js";
import type { RenderedMonitoring } from "../../monitoring/render.js";

export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";
export const DEFAULT_SELECTOR_LABELS = { release: "kube-prometheus-stack" } as const;

export interface KubePrometheusStackInput {
  component: string;
  owner: string;
  job: string;
  scrapeInterval: string;
  gateway: KubernetesGatewayTarget;
  stack: KubePrometheusStackArgs;
  rendered: RenderedMonitoring;
}

export function kubePrometheusStackObjects(input: KubePrometheusStackInput): K8sObject[] {
  const { component, owner, gateway, stack, rendered } = input;
  const namespace = gateway.namespace;
  const selectorLabelsForOperator = stack.selectorLabels ?? DEFAULT_SELECTOR_LABELS;
  const labels = (app: string) => ({ ...monitoringLabels(component, app, owner), ...selectorLabelsForOperator });
  // The `job` label alerts and dashboards select, whatever the operator would derive from the Service name.
  const relabelings = [{ action: "replace", targetLabel: "job", replacement: input.job }];
  const endpoint = { port: gateway.portName ?? "http", path: "/metrics", interval: input.scrapeInterval, relabelings };

  const monitorKind = stack.monitor ?? "ServiceMonitor";
  const monitor: K8sObject | undefined =
    monitorKind === "none"
      ? undefined
      : monitorKind === "ServiceMonitor"
      ? {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: `${component}-gateway`, namespace, labels: labels("gateway-monitor") },
          spec: {
            selector: { matchLabels: gateway.serviceSelector ?? gateway.podSelector },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [endpoint],
          },
        }
      : {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: { name: `${component}-gateway`, namespace, labels: labels("gateway-monitor") },
          spec: {
            selector: { matchLabels: gateway.podSelector },
            namespaceSelector: { matchNames: [namespace] },
            podMetricsEndpoints: [endpoint],
          },
        };

  const rule: K8sObject = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: `${component}-rules`, namespace, labels: labels("rules") },
    spec: { groups: [...rendered.recordingRules.groups, ...rendered.alertRules.groups] },
  };

  const dashboardsNamespace = stack.dashboardsNamespace ?? namespace;
  const dashboards: K8sObject[] = Object.entries(rendered.dashboards).map(([file, board]) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `${component}-${file.replace(/\.json$/, "").replace(/^mcp-fleet-/, "dashboard-")}`,
      namespace: dashboardsNamespace,
      labels: { ...monitoringLabels(component, "dashboards", owner), [GRAFANA_DASHBOARD_LABEL]: "1" },
      annotations: { grafana_folder: stack.folder ?? "MCP fleet" },
    },
    data: { [file]: `${JSON.stringify(board, null, 2)}\n` },
  }));

  return [...(monitor === undefined ? [] : [monitor]), rule, ...dashboards];
}
