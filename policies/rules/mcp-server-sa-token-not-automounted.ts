import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S, type ObjectMeta } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";
import { roleOf } from "../lib/roles.js";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workload.js";

/** MCP servers never call the Kubernetes API: no service-account token in their pods. */
export const mcpServerSaTokenNotAutomounted: ResourceValidationPolicy = {
  name: "mcp-server-sa-token-not-automounted",
  description: "MCP server pods must not mount a service-account token.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.ServiceAccount], (args, report) => {
    if (args.type === K8S.ServiceAccount) {
      if (roleOf((args.props.metadata as ObjectMeta | undefined)?.labels) !== "server") return;
      if (args.props.automountServiceAccountToken !== false) {
        report(`${describe(args.type, args.props, args.name)} must set \`automountServiceAccountToken: false\`; MCP servers do not call the Kubernetes API.`);
      }
      return;
    }
    const workload = workloadOf(args);
    if (workload === undefined || workload.role !== "server") return;
    if (workload.spec.automountServiceAccountToken !== false) {
      report(`${workload.what} must set \`automountServiceAccountToken: false\` in its pod spec; MCP servers do not call the Kubernetes API.`);
    }
  }),
};
