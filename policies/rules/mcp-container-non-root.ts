import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload.js";

/** Containers run as a non-root user: `runAsNonRoot: true` (container or pod) and never UID 0. */
export const mcpContainerNonRoot: ResourceValidationPolicy = {
  name: "mcp-container-non-root",
  description: "Containers must run as a non-root user.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) =>
    eachContainer(args, (container, label, workload) => {
      const pod = workload.spec.securityContext ?? {};
      const own = container.securityContext ?? {};
      const runAsUser = own.runAsUser ?? pod.runAsUser;
      if (runAsUser === 0) {
        report(`${label} must not run as user 0. Set \`runAsUser\` to a non-zero UID (e.g. 10001).`);
      } else if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
        report(`${label} must set \`runAsNonRoot: true\` (on the container or the pod).`);
      }
    }),
  ),
};
