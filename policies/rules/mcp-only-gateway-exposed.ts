import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S, type ObjectMeta } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";
import { dockerLabels, roleOf } from "../lib/roles.js";
import { DOCKER_CONTAINER } from "../lib/types.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];

/**
 * Only the gateway is reachable from outside: no Ingress, LoadBalancer/NodePort Service, host port, or Docker port
 * published on a non-loopback host address for anything else. Clients reach servers through the gateway.
 */
export const mcpOnlyGatewayExposed: ResourceValidationPolicy = {
  name: "mcp-only-gateway-exposed",
  description: "Only the gateway may be exposed outside the cluster or Docker network.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.Service, K8S.Ingress, DOCKER_CONTAINER], (args, report) => {
    if (args.type === K8S.Service) {
      if (roleOf((args.props.metadata as ObjectMeta | undefined)?.labels) === "gateway") return;
      const type = (args.props.spec as { type?: string } | undefined)?.type;
      if (type === "LoadBalancer" || type === "NodePort") {
        report(`${describe(args.type, args.props, args.name)} is of type ${type}; only the gateway may be exposed outside the cluster. Use type ClusterIP.`);
      }
      return;
    }
    if (args.type === K8S.Ingress) {
      if (roleOf((args.props.metadata as ObjectMeta | undefined)?.labels) === "gateway") return;
      report(`${describe(args.type, args.props, args.name)} is not the gateway's; only the gateway may be exposed outside the cluster. Reach servers through the gateway's Ingress.`);
      return;
    }
    if (args.type === DOCKER_CONTAINER) {
      if (roleOf(dockerLabels(args.props as never)) === "gateway") return;
      for (const p of (args.props.ports as Array<{ internal?: number; external?: number; ip?: string }> | undefined) ?? []) {
        // Published on loopback only: reachable from this machine, not from outside it.
        if (p.ip !== undefined && LOOPBACK.includes(p.ip)) continue;
        report(
          `Docker container \`${String(args.props.name ?? args.name)}\` publishes port ${String(p.internal)} on the host; only the gateway may be exposed outside the Docker network. Remove it from \`ports\`.`,
        );
      }
      return;
    }
    eachContainer(args, (container, label, workload) => {
      if (workload.role === "gateway") return;
      for (const p of container.ports ?? []) {
        if (p.hostPort !== undefined && p.hostPort !== null) {
          report(`${label} binds host port ${p.hostPort}; only the gateway may be exposed outside the cluster. Remove \`hostPort\`.`);
        }
      }
    });
  }),
};
