/** Iterating the pods and containers of a workload resource, for the security policies. */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { containersOf, describe, podTemplateOf, WORKLOAD_TYPES, type Container, type PodSpec } from "./k8s.js";
import { roleOf, type Role } from "./roles.js";

export interface Workload {
  /** `Deployment \`mcp-memory\`` */
  what: string;
  spec: PodSpec;
  /** Labels of the pod template (or the Pod). */
  podLabels: Record<string, string>;
  role: Role;
}

/** The workload's pod, or undefined when the resource has no pod template. */
export function workloadOf(args: Pick<ResourceValidationArgs, "type" | "props" | "name">): Workload | undefined {
  const template = podTemplateOf(args.type, args.props);
  if (template === undefined) return undefined;
  const podLabels = template.metadata?.labels ?? {};
  const ownLabels = (args.props.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  return { what: describe(args.type, args.props, args.name), spec: template.spec ?? {}, podLabels, role: roleOf({ ...ownLabels, ...podLabels }) };
}

/** `Container \`server\` of Deployment \`mcp-memory\`` */
export function containerLabel(what: string, kind: "Container" | "Init container", container: Container): string {
  return `${kind} \`${container.name}\` of ${what}`;
}

/** Calls `check` for every container (init containers included) of a workload resource. */
export function eachContainer(
  args: Pick<ResourceValidationArgs, "type" | "props" | "name">,
  check: (container: Container, label: string, workload: Workload) => void,
): void {
  const workload = workloadOf(args);
  if (workload === undefined) return;
  for (const { container, what } of containersOf(workload.spec)) check(container, containerLabel(workload.what, what, container), workload);
}

export { WORKLOAD_TYPES };
