/**
 * The fleet's monitoring hook points: Prometheus scrape annotations on pods, or a ServiceMonitor (Prometheus
 * Operator) per scraped Service. The full monitoring stack (rules, dashboards) is the `Monitoring` component's job.
 */
import type { CustomObject, ObjectMeta } from "./types.js";

export type MonitoringHook =
  | { kind: "none" }
  /** `prometheus.io/*` annotations on the pod template. */
  | { kind: "annotations" }
  | {
      kind: "serviceMonitor";
      /** Labels the Prometheus Operator selects monitors by. @default {} */
      selectorLabels?: Record<string, string>;
      /** @default "30s" */
      interval?: string;
    };

/** The classic Prometheus pod annotations. */
export function scrapeAnnotations(port: number, path = "/metrics"): Record<string, string> {
  return { "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": path };
}

/** A `monitoring.coreos.com/v1` ServiceMonitor scraping `/metrics` on a Service's named port. */
export function buildServiceMonitor(m: ObjectMeta, selector: Record<string, string>, portName: string, hook: Extract<MonitoringHook, { kind: "serviceMonitor" }>): CustomObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: m.name, namespace: m.namespace, labels: { ...m.labels, ...(hook.selectorLabels ?? {}) } },
    spec: {
      selector: { matchLabels: { ...selector } },
      namespaceSelector: { matchNames: [m.namespace] },
      endpoints: [{ port: portName, path: "/metrics", interval: hook.interval ?? "30s" }],
    },
  };
}
