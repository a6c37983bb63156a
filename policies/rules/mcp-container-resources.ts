import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

const REQUIRED = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/** CPU and memory requests and limits on every container. */
export const mcpContainerResources: ResourceValidationPolicy = {
  name: "mcp-container-resources",
  description: "Containers must set CPU and memory requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label) => {
      const missing = REQUIRED.filter((field) => {
        const [group, resource] = field.split(".") as ["requests" | "limits", string];
        const value = container.resources?.[group]?.[resource];
        return value === undefined || value === null || value === "";
      });
      if (missing.length > 0) {
        report(`${label} must set ${missing.map((f) => `\`resources.${f}\``).join(", ")}. Set them in the server spec's \`resources\`.`);
      }
    }),
  ),
};
