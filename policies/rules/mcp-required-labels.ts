import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, K8S, podTemplateOf, type ObjectMeta } from "../lib/k8s.js";
import { configOf, forTypes } from "../lib/policy.js";
import { WORKLOAD_TYPES } from "../lib/workload.js";

export interface RequiredLabelsConfig {
  /** Labels every workload, pod template, Service and ServiceAccount carries. */
  labels: string[];
}

export const DEFAULT_REQUIRED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "mcp-fleet.dev/owner"];

const list = (labels: string[]) => labels.map((l) => `\`${l}\``).join(", ");

/** The labels that say what an object is, what it belongs to and who owns it (`servers/catalog/derive.ts` sets them). */
export const mcpRequiredLabels: ResourceValidationPolicy = {
  name: "mcp-required-labels",
  description: "Workloads, pod templates, Services and ServiceAccounts must carry the name, part-of and owner labels.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { labels: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_LABELS, description: "Required label keys." } },
  },
  validateResource: forTypes([...WORKLOAD_TYPES, K8S.Service, K8S.ServiceAccount], (args, report) => {
    const { labels } = configOf<RequiredLabelsConfig>(args, { labels: DEFAULT_REQUIRED_LABELS });
    const what = describe(args.type, args.props, args.name);
    const missingFrom = (present: Record<string, string> | undefined) => labels.filter((l) => (present?.[l] ?? "") === "");
    const own = missingFrom((args.props.metadata as ObjectMeta | undefined)?.labels);
    if (own.length > 0) report(`${what} must carry the label${own.length > 1 ? "s" : ""} ${list(own)}. Add ${own.length > 1 ? "them" : "it"} to \`metadata.labels\`.`);
    if (args.type === K8S.Pod) return;
    const template = podTemplateOf(args.type, args.props);
    if (template === undefined) return;
    const pod = missingFrom(template.metadata?.labels);
    if (pod.length > 0) report(`The pod template of ${what} must carry the label${pod.length > 1 ? "s" : ""} ${list(pod)}. Add ${pod.length > 1 ? "them" : "it"} to the template's \`metadata.labels\`.`);
  }),
};
