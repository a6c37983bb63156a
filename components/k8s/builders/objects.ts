/**
 * One builder per Kubernetes kind. Pure functions: plain, typed manifests in, nothing created. The Pulumi
 * components and `mcp-fleet synth` both call these, so each object is shaped here and only here.
 */
import { MCP_PORT_NAME, TMP_MOUNT, TMP_VOLUME, containerSecurityContext, podSecurityContext, probes, resources, type ProbeTarget, type ProbeTiming, type Resources } from "./pod.js";
import type {
  IConfigMap,
  IDeployment,
  IEnvVar,
  IHorizontalPodAutoscaler,
  IIngress,
  INamespace,
  INetworkPolicy,
  INetworkPolicyPeer,
  IPodDisruptionBudget,
  ISecret,
  IService,
  IServiceAccount,
  ObjectMeta,
} from "./types.js";

function meta(m: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = { name: m.name, namespace: m.namespace, labels: { ...m.labels } };
  if (m.annotations !== undefined && Object.keys(m.annotations).length > 0) out.annotations = { ...m.annotations };
  return out;
}

/** Pod Security Standards level enforced, audited and warned on. */
export const POD_SECURITY_LEVEL = "restricted";

/** The fleet's namespace, with Pod Security `restricted` enforced. */
export function buildNamespace(name: string, labels: Record<string, string>): INamespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...labels,
        "pod-security.kubernetes.io/enforce": POD_SECURITY_LEVEL,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": POD_SECURITY_LEVEL,
        "pod-security.kubernetes.io/warn": POD_SECURITY_LEVEL,
      },
    },
  };
}

/** A ServiceAccount whose token is not mounted (pods opt in explicitly, none of ours do). */
export function buildServiceAccount(m: ObjectMeta): IServiceAccount {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(m), automountServiceAccountToken: false };
}

export function buildConfigMap(m: ObjectMeta, data: Record<string, string>): IConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(m), data: { ...data } };
}

/** A Secret's shape with its values left to the caller (Pulumi secret outputs); `synth` never emits one. */
export function buildSecret<V>(m: ObjectMeta, stringData: Record<string, V>): Omit<ISecret, "stringData"> & { stringData: Record<string, V> } {
  return { apiVersion: "v1", kind: "Secret", metadata: meta(m), type: "Opaque", stringData };
}

/** A ClusterIP Service exposing the named `mcp` port. */
export function buildService(m: ObjectMeta, selector: Record<string, string>, port: number): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(m),
    spec: {
      type: "ClusterIP",
      selector: { ...selector },
      ports: [{ name: MCP_PORT_NAME, port, targetPort: MCP_PORT_NAME, protocol: "TCP", appProtocol: "http" }],
    },
  };
}

/**
 * A headless Service (`clusterIP: None`) over the same pods: its DNS name resolves to one address per ready pod, so
 * the gateway balances over the pods itself, breaks each pod's circuit and drains a pod that goes away. Its
 * instance label differs from the workload's (`<name>-headless`): monitors that select the workload's Service do
 * not scrape the pods twice.
 */
export function buildHeadlessService(m: ObjectMeta, selector: Record<string, string>, port: number): IService {
  const service = buildService({ ...m, labels: { ...m.labels, "app.kubernetes.io/instance": m.name } }, selector, port);
  service.spec = { ...service.spec, clusterIP: "None", publishNotReadyAddresses: false };
  return service;
}

export interface DeploymentInput {
  meta: ObjectMeta;
  selector: Record<string, string>;
  /** @default 1 */
  replicas?: number;
  serviceAccountName: string;
  /** Annotations of the pod template (scrape hints, config checksum). */
  podAnnotations?: Record<string, string>;
  container: {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    workingDir?: string;
    port: number;
    env: IEnvVar[];
    /** Whole Secrets exposed as environment (`envFrom`), by name. */
    envFromSecrets?: string[];
    resources: Resources;
    probe: ProbeTarget;
    probeTiming?: ProbeTiming;
  };
  /** A ConfigMap mounted read-only at `mountPath`. */
  configMap?: { name: string; mountPath: string };
}

/** A hardened Deployment: non-root, read-only root filesystem with a /tmp emptyDir, probes, requests and limits. */
export function buildDeployment(input: DeploymentInput): IDeployment {
  const c = input.container;
  const volumes = [{ ...TMP_VOLUME, emptyDir: { ...TMP_VOLUME.emptyDir } }];
  const volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] = [{ ...TMP_MOUNT }];
  if (input.configMap !== undefined) {
    volumes.push({ name: "config", configMap: { name: input.configMap.name } } as (typeof volumes)[number]);
    volumeMounts.push({ name: "config", mountPath: input.configMap.mountPath, readOnly: true });
  }
  const container: NonNullable<NonNullable<IDeployment["spec"]>["template"]["spec"]>["containers"][number] = {
    name: c.name,
    image: c.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: MCP_PORT_NAME, containerPort: c.port, protocol: "TCP" }],
    env: c.env.map((e) => ({ ...e })),
    resources: resources(c.resources),
    securityContext: containerSecurityContext(),
    volumeMounts,
    ...probes(c.probe, c.probeTiming),
  };
  if (c.command !== undefined) container.command = [...c.command];
  if (c.args !== undefined) container.args = [...c.args];
  if (c.workingDir !== undefined) container.workingDir = c.workingDir;
  if (c.envFromSecrets !== undefined && c.envFromSecrets.length > 0) container.envFrom = c.envFromSecrets.map((name) => ({ secretRef: { name } }));
  const templateMeta: { labels: Record<string, string>; annotations?: Record<string, string> } = { labels: { ...input.meta.labels } };
  if (input.podAnnotations !== undefined && Object.keys(input.podAnnotations).length > 0) templateMeta.annotations = { ...input.podAnnotations };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(input.meta),
    spec: {
      replicas: input.replicas ?? 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...input.selector } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: templateMeta,
        spec: {
          serviceAccountName: input.serviceAccountName,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          terminationGracePeriodSeconds: 30,
          containers: [container],
          volumes,
        },
      },
    },
  };
}

/** Keeps all but one pod up through voluntary disruptions (node drains). */
export function buildPodDisruptionBudget(m: ObjectMeta, selector: Record<string, string>, replicas: number): IPodDisruptionBudget {
  const budget = replicas > 1 ? { minAvailable: 1 } : { maxUnavailable: 1 };
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(m), spec: { ...budget, selector: { matchLabels: { ...selector } } } };
}

export interface AutoscalingInput {
  minReplicas: number;
  maxReplicas: number;
  /** Average CPU utilization (percent of requests) to scale at. @default 70 */
  targetCpuUtilization?: number;
}

/** CPU-based autoscaling of a Deployment (autoscaling/v2). */
export function buildHorizontalPodAutoscaler(m: ObjectMeta, deploymentName: string, a: AutoscalingInput): IHorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(m),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.targetCpuUtilization ?? 70 } } }],
    },
  };
}

/** Denies all ingress and egress to every pod of the namespace; each workload then opens what it needs. */
export function buildDefaultDenyNetworkPolicy(m: ObjectMeta): INetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(m), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
}

/** DNS egress to the cluster resolver (kube-system), which every workload needs once egress is denied. */
export const DNS_EGRESS: NonNullable<NonNullable<INetworkPolicy["spec"]>["egress"]>[number] = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

export interface NetworkPolicyInput {
  meta: ObjectMeta;
  /** Pods the policy applies to. */
  podSelector: Record<string, string>;
  /** Port the pods serve on. */
  port: number;
  /** Who may connect; empty means anyone. */
  from: INetworkPolicyPeer[];
  /** Where the pods may connect besides DNS; `"any"` for everywhere. */
  egressTo: INetworkPolicyPeer[] | "any";
  /** Extra egress ports (with `egressTo` peers); all ports when unset. */
  egressPorts?: number[];
}

/** Ingress only from `from` on the MCP port; egress to DNS and to `egressTo`. */
export function buildNetworkPolicy(input: NetworkPolicyInput): INetworkPolicy {
  const ingressRule: NonNullable<NonNullable<INetworkPolicy["spec"]>["ingress"]>[number] = { ports: [{ protocol: "TCP", port: input.port }] };
  if (input.from.length > 0) ingressRule.from = input.from.map((p) => structuredClone(p));
  const egress: NonNullable<NonNullable<INetworkPolicy["spec"]>["egress"]> = [structuredClone(DNS_EGRESS)];
  if (input.egressTo === "any") egress.push({});
  else if (input.egressTo.length > 0) {
    const rule: (typeof egress)[number] = { to: input.egressTo.map((p) => structuredClone(p)) };
    if (input.egressPorts !== undefined) rule.ports = input.egressPorts.map((port) => ({ protocol: "TCP", port }));
    egress.push(rule);
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(input.meta),
    spec: { podSelector: { matchLabels: { ...input.podSelector } }, policyTypes: ["Ingress", "Egress"], ingress: [ingressRule], egress },
  };
}

export interface IngressInput {
  meta: ObjectMeta;
  host: string;
  path: string;
  serviceName: string;
  /** IngressClass. @default undefined (the cluster default) */
  className?: string;
  /** TLS through cert-manager: the issuer and whether it is a ClusterIssuer. Unset: plain HTTP. */
  tls?: { issuer: string; issuerKind: "ClusterIssuer" | "Issuer"; secretName: string };
}

/**
 * Routes `https://<host><path>` to the gateway Service, and `/.well-known/` (the OAuth protected resource metadata
 * clients discover, the JWKS backends verify identity tokens with), TLS certificates issued by cert-manager.
 */
export function buildIngress(input: IngressInput): IIngress {
  const annotations: Record<string, string> = { ...(input.meta.annotations ?? {}) };
  if (input.tls !== undefined) annotations[input.tls.issuerKind === "ClusterIssuer" ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer"] = input.tls.issuer;
  const backend = { service: { name: input.serviceName, port: { name: MCP_PORT_NAME } } };
  const spec: NonNullable<IIngress["spec"]> = {
    rules: [{ host: input.host, http: { paths: [{ path: input.path, pathType: "Prefix", backend }, { path: "/.well-known/", pathType: "Prefix", backend }] } }],
  };
  if (input.className !== undefined) spec.ingressClassName = input.className;
  if (input.tls !== undefined) spec.tls = [{ hosts: [input.host], secretName: input.tls.secretName }];
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: meta({ ...input.meta, annotations }), spec };
}

/** An object with its role in its component (resource names are `<component>-<role>`). */
export interface RoleObject {
  role: string;
  object: { apiVersion: string; kind: string };
}

/** The objects of a list that exist, in its order. */
export function presentObjects(list: readonly { role: string; object: RoleObject["object"] | undefined }[]): RoleObject[] {
  return list.filter((x): x is RoleObject => x.object !== undefined);
}
