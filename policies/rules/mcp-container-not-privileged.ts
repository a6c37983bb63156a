import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

/** No privileged containers. */
export const mcpContainerNotPrivileged: ResourceValidationPolicy = {
  name: "mcp-container-not-privileged",
  description: "Containers must not be privileged.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label) => {
      if (container.securityContext?.privileged === true) report(`${label} must not be privileged. Remove \`privileged: true\`.`);
    }),
  ),
};
