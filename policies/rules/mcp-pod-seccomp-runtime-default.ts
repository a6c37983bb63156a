import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

const ACCEPTED = ["RuntimeDefault", "Localhost"];

/** A seccomp profile on every container: `RuntimeDefault` (or a `Localhost` profile), set on the pod or the container. */
export const mcpPodSeccompRuntimeDefault: ResourceValidationPolicy = {
  name: "mcp-pod-seccomp-runtime-default",
  description: "Containers must run with the RuntimeDefault seccomp profile.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label, workload) => {
      const type = container.securityContext?.seccompProfile?.type ?? workload.spec.securityContext?.seccompProfile?.type;
      if (type === undefined || !ACCEPTED.includes(type)) {
        report(`${label} must use the RuntimeDefault seccomp profile: set \`seccompProfile.type: RuntimeDefault\` on the pod or the container.`);
      }
    }),
  ),
};
