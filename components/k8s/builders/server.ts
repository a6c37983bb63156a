/**
 * Every Kubernetes object of one catalog server, shaped from its spec and the fleet's settings.
 * Used by the `McpServer` component and by `mcp-fleet synth`.
 */
import { SESSION_SECRET_ENV, type ClusterNetwork, type FleetModel, type ServerModel } from "../../../servers/catalog/derive.js";
import type { ServerSpec } from "../../../servers/catalog/spec.js";
import { API_KEYS_ENV } from "../../gateway-secrets.js";
import { GATEWAY_CONFIG_DIR, GATEWAY_CONFIG_FILE, type Workload } from "../../workload.js";
import {
  buildConfigMap,
  buildDeployment,
  buildHeadlessService,
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
  /** The canary's workload (a spec with `canary`). */
  canaryWorkload?: CanaryWorkload;
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
  /** Kubernetes: the headless Service the gateway discovers the pods by (an endpoint each). */
  headlessService?: IService;
  /** A spec with `canary`: its Deployment (own image, version or args), Service, NetworkPolicy, and adapter config. */
  canary?: { configMap?: IConfigMap; deployment: IDeployment; service: IService; networkPolicy: INetworkPolicy };
  podDisruptionBudget: IPodDisruptionBudget;
  horizontalPodAutoscaler?: IHorizontalPodAutoscaler;
  networkPolicy: INetworkPolicy;
  serviceMonitor?: CustomObject;
  secretStore?: CustomObject;
  externalSecret?: CustomObject;
  /**
   * Adapters: their own Secret (values from the caller): the replicas' shared session key (`key`) and, when the
   * adapter authenticates the central gateway, the hash of its key as `MCP_FLEET_API_KEYS` (`apiKeysKey`).
   */
  sessionSecret?: { name: string; key: string; apiKeysKey?: string };
}

/** What the canary runs: the stable workload with the canary's image, and its args (a stdio server's, or the container's). */
export interface CanaryWorkload {
  image: string;
  /** Adapters: the adapter config with the canary's stdio args, and its checksum. */
  adapter?: { configYaml: string; checksum: string };
  /** Built and image servers: container args. */
  args?: string[];
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
  const keyed = w.kind === "adapter" && w.config.auth?.mode === "apiKey";
  const sessionSecret = server.adapter !== undefined ? { name: server.adapter.sessionSecretName, key: SESSION_SECRET_ENV, ...(keyed ? { apiKeysKey: API_KEYS_ENV } : {}) } : undefined;
  if (sessionSecret !== undefined) {
    env.push({ name: SESSION_SECRET_ENV, valueFrom: { secretKeyRef: { name: sessionSecret.name, key: sessionSecret.key } } });
    if (sessionSecret.apiKeysKey !== undefined) env.push({ name: API_KEYS_ENV, valueFrom: { secretKeyRef: { name: sessionSecret.name, key: sessionSecret.apiKeysKey } } });
  }

  const replicas = input.autoscaling?.minReplicas ?? spec.replicas;
  const configMap = w.kind === "adapter" && server.adapter !== undefined ? buildConfigMap({ ...m, name: server.adapter.configMapName }, { [GATEWAY_CONFIG_FILE]: w.configYaml }) : undefined;
  const podOf = (meta: typeof m, podSelector: Record<string, string>, count: number, image: string, annotations: Record<string, string>, configMapName: string | undefined, args: string[] | undefined) =>
    buildDeployment({
      meta,
      selector: podSelector,
      replicas: count,
      serviceAccountName: k8sName,
      podAnnotations: annotations,
      container: {
        name: "server",
        image,
        ...(w.kind === "adapter" ? { command: w.command } : {}),
        ...(args !== undefined ? { args } : {}),
        port: spec.port,
        env,
        resources: spec.resources,
        probe: w.kind === "adapter" ? { kind: "http", livenessPath: "/healthz", readinessPath: "/readyz" } : { kind: "tcp" },
        probeTiming: { periodSeconds: spec.healthCheck.intervalSeconds, timeoutSeconds: spec.healthCheck.timeoutSeconds, failureThreshold: spec.healthCheck.failureThreshold },
      },
      ...(configMapName !== undefined ? { configMap: { name: configMapName, mountPath: GATEWAY_CONFIG_DIR } } : {}),
    });
  const deployment = podOf(m, selector, replicas, w.image, podAnnotations, configMap?.metadata?.name, undefined);
  const networkPolicyOf = (meta: typeof m, podSelector: Record<string, string>) =>
    buildNetworkPolicy({
      meta,
      podSelector,
      port: spec.port,
      from: [
        { podSelector: { matchLabels: { ...input.fleet.gateway.selector } } },
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.monitoringNamespace ?? "monitoring" } } },
      ],
      // Servers call the outside world (APIs, databases): egress stays open for them.
      egressTo: "any",
    });
  const out: ServerObjects = {
    k8sName,
    labels,
    selector,
    serviceAccount: buildServiceAccount({ ...m, ...(input.serviceAccountAnnotations !== undefined ? { annotations: input.serviceAccountAnnotations } : {}) }),
    deployment,
    service: buildService(m, selector, spec.port),
    podDisruptionBudget: buildPodDisruptionBudget(m, selector, replicas),
    networkPolicy: networkPolicyOf(m, selector),
  };
  if (server.headless !== undefined) out.headlessService = buildHeadlessService({ ...m, name: server.headless.serviceName }, selector, spec.port);
  const canary = server.canary;
  const cw = input.canaryWorkload;
  if (canary !== undefined && cw !== undefined && spec.canary !== undefined) {
    const cm = { name: canary.k8sName, namespace: m.namespace, labels: canary.labels };
    const canaryConfig = cw.adapter !== undefined && canary.configMapName !== undefined ? buildConfigMap({ ...cm, name: canary.configMapName }, { [GATEWAY_CONFIG_FILE]: cw.adapter.configYaml }) : undefined;
    const annotations = { ...podAnnotations, ...(cw.adapter !== undefined ? { "mcp-fleet.dev/config-checksum": cw.adapter.checksum } : {}) };
    out.canary = {
      deployment: podOf(cm, canary.selector, spec.canary.replicas, cw.image, annotations, canaryConfig?.metadata?.name, cw.args),
      service: buildService(cm, canary.selector, spec.port),
      networkPolicy: networkPolicyOf(cm, canary.selector),
      ...(canaryConfig !== undefined ? { configMap: canaryConfig } : {}),
    };
  }
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
    { role: "headless", object: o.headlessService },
    { role: "canary-config", object: o.canary?.configMap },
    { role: "canary-deploy", object: o.canary?.deployment },
    { role: "canary-svc", object: o.canary?.service },
    { role: "canary-netpol", object: o.canary?.networkPolicy },
    { role: "pdb", object: o.podDisruptionBudget },
    { role: "hpa", object: o.horizontalPodAutoscaler },
    { role: "netpol", object: o.networkPolicy },
    { role: "monitor", object: o.serviceMonitor },
  ]);
}
