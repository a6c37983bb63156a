/**
 * How a Kubernetes `Fleet` builds its `Monitoring`: the servers and their SLOs, the gateway's namespace, Service,
 * pod labels and port, the prefix of the fleet's pods and the owner label all come from the fleet model, so the stack passes only the
 * mode and its options. Pure: the Fleet calls it, tests call it without mocks.
 */
import { monitoredServers } from "../../monitoring/model.js";
import type { ClusterNetwork, FleetModel } from "../../servers/catalog/derive.js";
import type { MonitoringComponentArgs } from "./index.js";

/** What a stack passes to `Fleet` for monitoring: everything but what the Fleet knows itself. */
export type FleetMonitoringArgs = Omit<MonitoringComponentArgs, "servers" | "gateway">;

/** What the fleet model does not say: how the Fleet's scrape hook reaches the gateway. */
export interface FleetScrapeFacts {
  /** Name of the gateway's port serving `/metrics`. */
  portName: string;
  /** The Fleet's scrape hook already adds a ServiceMonitor for the gateway: do not add a second one. */
  hookAddsServiceMonitor: boolean;
}

export function monitoringArgsForFleet(fleet: Pick<FleetModel<ClusterNetwork>, "servers" | "gateway" | "network" | "prefix" | "owner">, scrape: FleetScrapeFacts, args: FleetMonitoringArgs): MonitoringComponentArgs {
  const kps = args.kubePrometheusStack ?? {};
  const { namespace } = fleet.network;
  const g = fleet.gateway;
  return {
    ...args,
    owner: args.owner ?? fleet.owner,
    servers: monitoredServers(fleet),
    options: {
      ...args.options,
      gatewayJob: args.options?.gatewayJob ?? g.k8sName,
      namespace: args.options?.namespace ?? namespace,
      podPrefix: args.options?.podPrefix ?? fleet.prefix,
    },
    gateway: { namespace, podSelector: g.selector, serviceSelector: g.selector, portName: scrape.portName, port: g.port },
    ...(args.mode === "kube-prometheus-stack"
      ? { kubePrometheusStack: { ...kps, monitor: kps.monitor ?? (scrape.hookAddsServiceMonitor ? "none" : "ServiceMonitor") } }
      : {}),
  };
}
