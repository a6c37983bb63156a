import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/policy.js";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workload.js";

/** No host namespaces (network, PID, IPC) and no hostPath volumes. */
export const mcpPodHostIsolation: ResourceValidationPolicy = {
  name: "mcp-pod-host-isolation",
  description: "Pods must not share the host's network, PID or IPC namespace, nor mount host paths.",
  enforcementLevel: "mandatory",
  validateResource: forTypes(WORKLOAD_TYPES, (args, report) => {
    const workload = workloadOf(args);
    if (workload === undefined) return;
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (workload.spec[field] === true) report(`${workload.what} must not set \`${field}: true\`. Remove it.`);
    }
    for (const volume of workload.spec.volumes ?? []) {
      if (volume.hostPath !== undefined && volume.hostPath !== null) {
        report(`${workload.what} must not mount a host path (volume \`${volume.name}\`). Use an emptyDir, a ConfigMap or a PersistentVolumeClaim.`);
      }
    }
  }),
};
