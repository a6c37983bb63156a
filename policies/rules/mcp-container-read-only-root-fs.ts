import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

/** A read-only root filesystem (writable scratch space comes from an emptyDir). */
export const mcpContainerReadOnlyRootFs: ResourceValidationPolicy = {
  name: "mcp-container-read-only-root-fs",
  description: "Containers must have a read-only root filesystem.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label) => {
      if (container.securityContext?.readOnlyRootFilesystem !== true) {
        report(`${label} must set \`readOnlyRootFilesystem: true\`. Mount an emptyDir where it needs to write.`);
      }
    }),
  ),
};
