/**
 * Reading Kubernetes objects as the policies see them: the resource inputs of `@pulumi/kubernetes` resources
 * (plain manifests). Only types and props: the pack never imports the components that made them.
 */

/** A Kubernetes object's metadata, as far as the policies read it. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: unknown; configMapKeyRef?: unknown; fieldRef?: unknown; resourceFieldRef?: unknown };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  securityContext?: SecurityContext;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Array<{ name: string; hostPath?: unknown }>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** The Pulumi type tokens of the Kubernetes objects the pack checks. */
export const K8S = {
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  DaemonSet: "kubernetes:apps/v1:DaemonSet",
  ReplicaSet: "kubernetes:apps/v1:ReplicaSet",
  Job: "kubernetes:batch/v1:Job",
  CronJob: "kubernetes:batch/v1:CronJob",
  Pod: "kubernetes:core/v1:Pod",
  Service: "kubernetes:core/v1:Service",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Namespace: "kubernetes:core/v1:Namespace",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
} as const;

/** Workload types whose pod template the security policies check. */
export const WORKLOAD_TYPES: readonly string[] = [K8S.Deployment, K8S.StatefulSet, K8S.DaemonSet, K8S.ReplicaSet, K8S.Job, K8S.CronJob, K8S.Pod];

/** `kubernetes:apps/v1:Deployment` → `Deployment`. */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/** The object's name: `metadata.name`, or the Pulumi resource name when the provider auto-names it. */
export function objectName(props: { metadata?: ObjectMeta } | undefined, resourceName: string): string {
  return props?.metadata?.name ?? resourceName;
}

/** `Deployment \`mcp-memory\`` (namespace left out: names are unique per kind in a fleet). */
export function describe(type: string, props: { metadata?: ObjectMeta } | undefined, resourceName: string): string {
  return `${kindOf(type)} \`${objectName(props, resourceName)}\``;
}

/** The pod template (metadata + spec) of a workload, or undefined for other types. */
export function podTemplateOf(type: string, props: Record<string, unknown>): PodTemplate | undefined {
  const spec = props.spec as Record<string, unknown> | undefined;
  switch (type) {
    case K8S.Pod:
      return { metadata: props.metadata as ObjectMeta | undefined, spec: spec as PodSpec | undefined };
    case K8S.CronJob: {
      const jobTemplate = spec?.jobTemplate as { spec?: { template?: PodTemplate } } | undefined;
      return jobTemplate?.spec?.template;
    }
    default:
      return WORKLOAD_TYPES.includes(type) ? (spec?.template as PodTemplate | undefined) : undefined;
  }
}

/** Every container of a pod spec, init containers included, with a word for messages. */
export function containersOf(spec: PodSpec | undefined): Array<{ container: Container; what: "Container" | "Init container" }> {
  return [
    ...(spec?.initContainers ?? []).map((container) => ({ container, what: "Init container" as const })),
    ...(spec?.containers ?? []).map((container) => ({ container, what: "Container" as const })),
  ];
}

/** Labels of the object, merged with its pod template's when it has one (pod labels win). */
export function labelsOf(type: string, props: Record<string, unknown>): Record<string, string> {
  const own = (props.metadata as ObjectMeta | undefined)?.labels ?? {};
  return { ...own, ...(podTemplateOf(type, props)?.metadata?.labels ?? {}) };
}

/** Whether a label selector (`matchLabels` only, plus simple `In` expressions) selects the given labels. */
export function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case "In":
        if (value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (value === undefined) return false;
        break;
      case "DoesNotExist":
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
