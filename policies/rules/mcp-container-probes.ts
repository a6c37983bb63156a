import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf } from "../lib/k8s.js";
import { forTypes } from "../lib/policy.js";
import { containerLabel, workloadOf, WORKLOAD_TYPES } from "../lib/workload.js";

/** Liveness and readiness probes on every (non-init) container of a long-running workload. */
export const mcpContainerProbes: ResourceValidationPolicy = {
  name: "mcp-container-probes",
  description: "Containers must have liveness and readiness probes.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(
    WORKLOAD_TYPES.filter((t) => !t.startsWith("kubernetes:batch/")),
    (args, report) => {
      const workload = workloadOf(args);
      if (workload === undefined) return;
      for (const { container, what } of containersOf(workload.spec)) {
        if (what === "Init container") continue;
        const missing = (["livenessProbe", "readinessProbe"] as const).filter((probe) => container[probe] === undefined || container[probe] === null);
        if (missing.length > 0) report(`${containerLabel(workload.what, what, container)} must set ${missing.map((p) => `\`${p}\``).join(" and ")}.`);
      }
    },
  ),
};
