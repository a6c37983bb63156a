import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

/** `allowPrivilegeEscalation: false` on every container (it defaults to true). */
export const mcpContainerNoPrivilegeEscalation: ResourceValidationPolicy = {
  name: "mcp-container-no-privilege-escalation",
  description: "Containers must not allow privilege escalation.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label) => {
      if (container.securityContext?.allowPrivilegeEscalation !== false) report(`${label} must set \`allowPrivilegeEscalation: false\`.`);
    }),
  ),
};
