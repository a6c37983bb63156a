import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { authenticates, gatewayConfigsOf } from "../lib/gateway-config.js";
import { describe, K8S, type ObjectMeta } from "../lib/k8s.js";
import { roleOf } from "../lib/roles.js";

const isGateway = (r: PolicyResource) => roleOf((r.props.metadata as ObjectMeta | undefined)?.labels) === "gateway";
const namespaceOf = (r: PolicyResource) => (r.props.metadata as ObjectMeta | undefined)?.namespace ?? "default";

/**
 * A gateway reachable from outside the cluster (its Ingress, or a LoadBalancer/NodePort Service) authenticates its
 * callers: its config in the same namespace has `auth.mode` apiKey or oauth. Otherwise anyone on the internet calls
 * every tool with the organisation's credentials.
 */
export const mcpGatewayAuthenticated: StackValidationPolicy = {
  name: "mcp-gateway-authenticated",
  description: "A gateway exposed beyond the cluster must authenticate its callers.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const configs = args.resources
      .filter((r) => r.type === K8S.ConfigMap && isGateway(r))
      .flatMap((r) => gatewayConfigsOf(r.props.data).map(({ config }) => ({ namespace: namespaceOf(r), what: describe(r.type, r.props, r.name), config })))
      // The fleet's gateway, not an adapter (adapters front one server in passthrough mode, reached only by the gateway).
      .filter((c) => c.config.naming?.passthrough !== true);
    for (const r of args.resources) {
      if (!isGateway(r)) continue;
      const type = (r.props.spec as { type?: string } | undefined)?.type;
      const exposed = r.type === K8S.Ingress || (r.type === K8S.Service && (type === "LoadBalancer" || type === "NodePort"));
      if (!exposed) continue;
      for (const c of configs.filter((c) => c.namespace === namespaceOf(r) && !authenticates(c.config))) {
        report(
          `${describe(r.type, r.props, r.name)} exposes the gateway beyond the cluster, but its config (${c.what}) does not authenticate callers (auth.mode ${c.config.auth?.mode ?? "none"}). Set \`mcp-fleet:auth\` (mode oauth or apiKey) in the stack config.`,
          r.urn,
        );
      }
    }
  },
};
