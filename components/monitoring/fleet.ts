/**
 * How a Kubernetes `Fleet` builds its `Monitoring`: the servers and their SLOs come from the catalog, the gateway's
 * namespace, pod labels and port from the Fleet's own gateway objects, so the stack passes only the mode and its
 * options. Pure: the Fleet calls it, tests call it without mocks.
 */
import { monitoredServers } from "../../monitoring/model.js";
import type { ServerSpec } from "../../servers/catalog/spec.js";
import type { MonitoringComponentArgs } from "./index.js";

/** What a stack passes to `Fleet` for monitoring: everything but what the Fleet knows itself. */
export type FleetMonitoringArgs = Omit<MonitoringComponentArgs, "servers" | "gateway">;

export interface FleetGatewayFacts {
  namespace: string;
  /** Name of the gateway's Service (the `job` label a ServiceMonitor gives its targets). */
  serviceName: string;
  /** Labels of the gateway's pods. */
  podSelector: Record<string, string>;
  /** Name and number of the port serving `/metrics`. */
  portName: string;
  port: number;
  /** Name prefix of the fleet's pods. */
  prefix: string;
  /** The Fleet's scrape hook already adds a ServiceMonitor for the gateway: do not add a second one. */
  hookAddsServiceMonitor: boolean;
}

export function monitoringArgsForFleet(
  catalog: { servers: ReadonlyArray<{ spec: Pick<ServerSpec, "name" | "slo"> }> },
  gateway: FleetGatewayFacts,
  args: FleetMonitoringArgs,
): MonitoringComponentArgs {
  const kps = args.kubePrometheusStack ?? {};
  return {
    ...args,
    servers: monitoredServers(catalog),
    options: {
      ...args.options,
      gatewayJob: args.options?.gatewayJob ?? gateway.serviceName,
      namespace: args.options?.namespace ?? gateway.namespace,
      podPrefix: args.options?.podPrefix ?? gateway.prefix,
    },
    gateway: { namespace: gateway.namespace, podSelector: gateway.podSelector, serviceSelector: gateway.podSelector, portName: gateway.portName, port: gateway.port },
    ...(args.mode === "kube-prometheus-stack"
      ? { kubePrometheusStack: { ...kps, monitor: kps.monitor ?? (gateway.hookAddsServiceMonitor ? "none" : "ServiceMonitor") } }
      : {}),
  };
}
