import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

/** What Pod Security `restricted` lets a container add back. */
const ALLOWED_ADDS = ["NET_BIND_SERVICE"];

/** Every capability dropped (`drop: ["ALL"]`); nothing added back except NET_BIND_SERVICE. */
export const mcpContainerDropAllCapabilities: ResourceValidationPolicy = {
  name: "mcp-container-drop-all-capabilities",
  description: "Containers must drop all Linux capabilities.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label) => {
      const capabilities = container.securityContext?.capabilities ?? {};
      if (!(capabilities.drop ?? []).includes("ALL")) report(`${label} must drop all capabilities: set \`capabilities.drop: ["ALL"]\`.`);
      const added = (capabilities.add ?? []).filter((c) => !ALLOWED_ADDS.includes(c));
      if (added.length > 0) report(`${label} must not add capabilities (${added.map((c) => `\`${c}\``).join(", ")}). Remove them from \`capabilities.add\`.`);
    }),
  ),
};
