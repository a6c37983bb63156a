import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, K8S, selects, type ObjectMeta } from "../lib/k8s.js";
import { workloadOf } from "../lib/workload.js";

interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  policyTypes?: string[];
}

const namespaceOf = (r: PolicyResource) => (r.props.metadata as ObjectMeta | undefined)?.namespace ?? "default";

/** Whether the NetworkPolicy restricts ingress to the pods its selector picks out (not a namespace-wide default). */
function restrictsIngressOf(spec: NetworkPolicySpec, labels: Record<string, string>): boolean {
  const selector = spec.podSelector ?? {};
  const specific = Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0;
  const ingress = spec.policyTypes === undefined || spec.policyTypes.length === 0 || spec.policyTypes.includes("Ingress");
  return specific && ingress && selects(selector, labels);
}

/**
 * Every MCP server's pods are selected by a NetworkPolicy of their own namespace that names them (a non-empty
 * pod selector) and governs ingress: the policy that lets the gateway (and monitoring) in and nothing else. A
 * namespace-wide default-deny alone does not count: it says nothing about who may reach the server.
 */
export const mcpNetworkPolicyCoverage: StackValidationPolicy = {
  name: "mcp-network-policy-coverage",
  description: "Every MCP server must be covered by a NetworkPolicy that limits who may reach it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = args.resources.filter((r) => r.type === K8S.NetworkPolicy);
    for (const r of args.resources) {
      const workload = workloadOf(r);
      if (workload === undefined || workload.role !== "server") continue;
      const namespace = namespaceOf(r);
      const covered = policies.some((p) => namespaceOf(p) === namespace && restrictsIngressOf((p.props.spec ?? {}) as NetworkPolicySpec, workload.podLabels));
      if (!covered) {
        report(
          `${describe(r.type, r.props, r.name)} in namespace \`${namespace}\` is not selected by any NetworkPolicy that limits ingress to it. Add one whose \`podSelector\` matches its pod labels and allows only the gateway (McpServer creates it).`,
          r.urn,
        );
      }
    }
  },
};
