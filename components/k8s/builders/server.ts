/**
 * Every Kubernetes object of one catalog server, shaped from its spec and the fleet's settings.
 * Used by the `McpServer` component and by `mcp-fleet synth`.
 */
import { SESSION_SECRET_ENV, type ClusterNetwork, type FleetModel, type ServerModel } from "../../../servers/catalog/derive.js";
import type { ServerSpec } from "../../../servers/catalog/spec.js";
import { GATEWAY_CONFIG_DIR, GATEWAY_CONFIG_FILE, type Workload } from "../../workload.js";
import {
  buildConfigMap,
  buildDeployment,
  buildHorizontalPodAutoscaler,
  buildNetworkPolicy,
  buildPodDisruptionBudget,
  buildService,
  buildServiceAccount,
  presentObjects,
  type AutoscalingInput,
  type RoleObject,
} from "./objects.js";
import { MCP_PORT_NAME } from "./pod.js";
import { buildServiceMonitor, scrapeAnnotations, type MonitoringHook } from "./monitoring.js";
import { buildExternalSecret, buildSecretStore, type ExternalSecretsInput } from "./external-secrets.js";
import type { CustomObject, IConfigMap, IDeployment, IEnvVar, IHorizontalPodAutoscaler, INetworkPolicy, IPodDisruptionBudget, IService, IServiceAccount } from "./types.js";

export interface ServerObjectsInput {
  /** The fleet the server belongs to: its namespace, and the gateway allowed to connect. */
  fleet: Pick<FleetModel<ClusterNetwork>, "network" | "gateway">;
  /** The server, from `fleet.servers`: its names, labels and how it runs. */
  server: ServerModel;
  workload: Workload;
  /** Namespace whose pods may scrape the server. @default "monitoring" */
  monitoringNamespace?: string;
  /** @default { kind: "annotations" } */
  monitoring?: MonitoringHook;
  /** Autoscaling; unset: a fixed replica count (the spec's `replicas`). */
  autoscaling?: AutoscalingInput;
  /** Annotations of the ServiceAccount (e.g. the IRSA role ARN when known up front). */
  serviceAccountAnnotations?: Record<string, string>;
  /** Sync the server's secrets from AWS Secrets Manager (External Secrets Operator). @default undefined */
  externalSecrets?: ExternalSecretsInput;
}

export interface ServerObjects {
  k8sName: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  serviceAccount: IServiceAccount;
  /** The adapter's config (stdio, http, sse servers). */
  configMap?: IConfigMap;
  deployment: IDeployment;
  service: IService;
  podDisruptionBudget: IPodDisruptionBudget;
  horizontalPodAutoscaler?: IHorizontalPodAutoscaler;
  networkPolicy: INetworkPolicy;
  serviceMonitor?: CustomObject;
  secretStore?: CustomObject;
  externalSecret?: CustomObject;
  /** Adapters: the Secret their replicas' shared session key is read from (its value comes from the caller). */
  sessionSecret?: { name: string; key: string };
}

/** Secret references, one per secret variable: never a value. */
export function secretEnv(spec: Pick<ServerSpec, "secrets">, secretName: string): IEnvVar[] {
  return spec.secrets.map((name) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }));
}

/** The objects of one server, in creation order. */
export function serverObjects(input: ServerObjectsInput): ServerObjects {
  const { server } = input;
  const { spec, k8sName, labels, selector } = server;
  const m = { name: k8sName, namespace: input.fleet.network.namespace, labels };
  const w = input.workload;
  const monitoring = input.monitoring ?? { kind: "annotations" };
  // Adapters are the gateway: they export /metrics. Other images may not, the gateway measures them anyway.
  const scraped = w.kind === "adapter" && monitoring.kind !== "none";
  const podAnnotations: Record<string, string> = {};
  if (scraped && monitoring.kind === "annotations") Object.assign(podAnnotations, scrapeAnnotations(spec.port));
  if (w.kind === "adapter") podAnnotations["mcp-fleet.dev/config-checksum"] = w.checksum;

  const plainEnv = w.kind === "adapter" ? {} : w.env;
  const env: IEnvVar[] = [
    ...Object.entries(plainEnv)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    ...secretEnv(spec, server.secretName),
  ];
  const sessionSecret = server.adapter !== undefined ? { name: server.adapter.sessionSecretName, key: SESSION_SECRET_ENV } : undefined;
  if (sessionSecret !== undefined) env.push({ name: SESSION_SECRET_ENV, valueFrom: { secretKeyRef: { ...sessionSecret } } });

  const replicas = input.autoscaling?.minReplicas ?? spec.replicas;
  const configMap = w.kind === "adapter" && server.adapter !== undefined ? buildConfigMap({ ...m, name: server.adapter.configMapName }, { [GATEWAY_CONFIG_FILE]: w.configYaml }) : undefined;
  const deployment = buildDeployment({
    meta: m,
    selector,
    replicas,
    serviceAccountName: k8sName,
    podAnnotations,
    container: {
      name: "server",
      image: w.image,
      ...(w.kind === "adapter" ? { command: w.command } : {}),
      port: spec.port,
      env,
      resources: spec.resources,
      probe: w.kind === "adapter" ? { kind: "http", livenessPath: "/healthz", readinessPath: "/readyz" } : { kind: "tcp" },
      probeTiming: { periodSeconds: spec.healthCheck.intervalSeconds, timeoutSeconds: spec.healthCheck.timeoutSeconds, failureThreshold: spec.healthCheck.failureThreshold },
    },
    ...(configMap !== undefined ? { configMap: { name: configMap.metadata!.name!, mountPath: GATEWAY_CONFIG_DIR } } : {}),
  });
  const out: ServerObjects = {
    k8sName,
    labels,
    selector,
    serviceAccount: buildServiceAccount({ ...m, ...(input.serviceAccountAnnotations !== undefined ? { annotations: input.serviceAccountAnnotations } : {}) }),
    deployment,
    service: buildService(m, selector, spec.port),
    podDisruptionBudget: buildPodDisruptionBudget(m, selector, replicas),
    networkPolicy: buildNetworkPolicy({
      meta: m,
      podSelector: selector,
      port: spec.port,
      from: [
        { podSelector: { matchLabels: { ...input.fleet.gateway.selector } } },
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.monitoringNamespace ?? "monitoring" } } },
      ],
      // Servers call the outside world (APIs, databases): egress stays open for them.
      egressTo: "any",
    }),
  };
  if (configMap !== undefined) out.configMap = configMap;
  if (sessionSecret !== undefined) out.sessionSecret = sessionSecret;
  if (input.autoscaling !== undefined) out.horizontalPodAutoscaler = buildHorizontalPodAutoscaler(m, k8sName, input.autoscaling);
  if (input.externalSecrets !== undefined && spec.secrets.length > 0) {
    out.secretStore = buildSecretStore(m, k8sName, input.externalSecrets.region);
    out.externalSecret = buildExternalSecret(m, k8sName, server.secretName, spec.secrets, input.externalSecrets);
  }
  if (scraped && monitoring.kind === "serviceMonitor") out.serviceMonitor = buildServiceMonitor(m, selector, MCP_PORT_NAME, monitoring);
  return out;
}

/** The objects in creation order, each with its role (for resource names: `<component>-<role>`). */
export function serverObjectList(o: ServerObjects): RoleObject[] {
  return presentObjects([
    { role: "sa", object: o.serviceAccount },
    { role: "secret-store", object: o.secretStore },
    { role: "external-secret", object: o.externalSecret },
    { role: "config", object: o.configMap },
    { role: "deploy", object: o.deployment },
    { role: "svc", object: o.service },
    { role: "pdb", object: o.podDisruptionBudget },
    { role: "hpa", object: o.horizontalPodAutoscaler },
    { role: "netpol", object: o.networkPolicy },
    { role: "monitor", object: o.serviceMonitor },
  ]);
}
