/**
 * Every Kubernetes object of the gateway: its config (a ConfigMap rendered from the catalog), Deployment,
 * Service, PodDisruptionBudget, optional HorizontalPodAutoscaler and Ingress, and its NetworkPolicy.
 * The Secret holding its keys is shaped here too, with its values left to the caller; in prod (AWS) it is synced
 * from Secrets Manager instead, by a SecretStore (the gateway's own IRSA role) and an ExternalSecret.
 */
import type { GatewayConfigInput } from "@mcp-fleet/gateway/config";
import { stringify } from "yaml";
import { SESSION_SECRET_ENV, type ClusterNetwork, type FleetModel, type GatewayModel } from "../../../servers/catalog/derive.js";
import { gatewaySecretKeys } from "../../gateway-secrets.js";
import { buildExternalSecret, buildSecretStore, type ExternalSecretsInput } from "./external-secrets.js";
import { GATEWAY_CONFIG_DIR, GATEWAY_CONFIG_FILE, GATEWAY_RUN_COMMAND, checksum } from "../../workload.js";
import { buildServiceMonitor, scrapeAnnotations, type MonitoringHook } from "./monitoring.js";
import {
  buildConfigMap,
  buildDeployment,
  buildHorizontalPodAutoscaler,
  buildIngress,
  buildNetworkPolicy,
  buildPodDisruptionBudget,
  buildSecret,
  buildService,
  buildServiceAccount,
  presentObjects,
  type AutoscalingInput,
  type RoleObject,
} from "./objects.js";
import { MCP_PORT_NAME, type Resources } from "./pod.js";
import type { CustomObject, IConfigMap, IDeployment, IEnvVar, IHorizontalPodAutoscaler, IIngress, INetworkPolicy, IPodDisruptionBudget, IService, IServiceAccount } from "./types.js";


/** @default requests 100m/128Mi, limits 1/512Mi */
export const DEFAULT_GATEWAY_RESOURCES: Resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } };

export interface GatewayIngressInput {
  host: string;
  /** @default undefined (the cluster's default IngressClass) */
  className?: string;
  /** TLS via cert-manager; unset: no TLS. */
  tls?: { issuer: string; /** @default "ClusterIssuer" */ issuerKind?: "ClusterIssuer" | "Issuer" };
}

export interface GatewayObjectsInput {
  /** The fleet: the gateway's names, labels, port and path, and the servers it connects to. */
  fleet: Pick<FleetModel<ClusterNetwork>, "network" | "gateway" | "servers" | "serverPods">;
  /** The rendered config (`deployedGatewayConfig(fleet)`). */
  config: GatewayConfigInput;
  image: string;
  /** @default 2 */
  replicas?: number;
  autoscaling?: AutoscalingInput;
  /** @default DEFAULT_GATEWAY_RESOURCES */
  resources?: Resources;
  ingress?: GatewayIngressInput;
  /**
   * Environment variables read from the gateway's Secret (one key per variable), besides its key toward each
   * authenticated adapter, which is always added (`gatewaySecretKeys`). @default [SESSION_SECRET_ENV]
   */
  secretKeys?: string[];
  /** Sync the gateway's Secret from AWS Secrets Manager (External Secrets Operator) instead of taking its values. @default undefined */
  externalSecrets?: ExternalSecretsInput;
  /** Annotations of the gateway's ServiceAccount (the IRSA role ARN of `externalSecrets`). */
  serviceAccountAnnotations?: Record<string, string>;
  /** @default { kind: "annotations" } */
  monitoring?: MonitoringHook;
  /**
   * Roll the gateway's pods when its config changes (a checksum annotation of the config). `false`: the pods stay
   * and each gateway reloads the ConfigMap in place when the kubelet updates the mount (hot reload: sessions and
   * calls in flight stay). @default true
   */
  rollOnConfigChange?: boolean;
  /** OpenTelemetry export of the gateway's traces, rendered into its config. @default none */
  tracing?: GatewayConfigInput["tracing"];
}

/** The gateway's objects, with its names, labels, port and path from the fleet model. */
export interface GatewayObjects extends Pick<GatewayModel, "k8sName" | "labels" | "selector" | "port" | "path"> {
  serviceAccount: IServiceAccount;
  configMap: IConfigMap;
  deployment: IDeployment;
  service: IService;
  podDisruptionBudget: IPodDisruptionBudget;
  horizontalPodAutoscaler?: IHorizontalPodAutoscaler;
  networkPolicy: INetworkPolicy;
  ingress?: IIngress;
  serviceMonitor?: CustomObject;
  /** Prod: the SecretStore and ExternalSecret that fill the gateway's Secret from Secrets Manager. */
  secretStore?: CustomObject;
  externalSecret?: CustomObject;
  /** Name and keys of the Secret the Deployment reads (its values come from the caller, or from `externalSecret`). */
  secret: { name: string; keys: string[] };
}

/** The gateway Secret's shape for given values (Pulumi secret outputs in the component). */
export function gatewaySecret<V>(objects: Pick<GatewayObjects, "secret" | "labels">, namespace: string, values: Record<string, V>) {
  return buildSecret({ name: objects.secret.name, namespace, labels: objects.labels }, values);
}

export function gatewayObjects(input: GatewayObjectsInput): GatewayObjects {
  const { k8sName, labels, selector, port, path } = input.fleet.gateway;
  const m = { name: k8sName, namespace: input.fleet.network.namespace, labels };
  const configYaml = stringify(input.config);
  const monitoring = input.monitoring ?? { kind: "annotations" };
  const replicas = input.autoscaling?.minReplicas ?? input.replicas ?? 2;
  const secretName = input.fleet.gateway.secretName;
  const secretKeys = gatewaySecretKeys(input.fleet, input.secretKeys ?? [SESSION_SECRET_ENV]);
  const env: IEnvVar[] = secretKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secretName, key } } }));
  const podAnnotations: Record<string, string> = input.rollOnConfigChange === false ? {} : { "mcp-fleet.dev/config-checksum": checksum(configYaml) };
  if (monitoring.kind === "annotations") Object.assign(podAnnotations, scrapeAnnotations(port));

  const configMap = buildConfigMap({ ...m, name: input.fleet.gateway.configMapName }, { [GATEWAY_CONFIG_FILE]: configYaml });
  const out: GatewayObjects = {
    k8sName,
    labels,
    selector,
    port,
    path,
    serviceAccount: buildServiceAccount({ ...m, ...(input.serviceAccountAnnotations !== undefined ? { annotations: input.serviceAccountAnnotations } : {}) }),
    configMap,
    deployment: buildDeployment({
      meta: m,
      selector,
      replicas,
      serviceAccountName: k8sName,
      podAnnotations,
      container: {
        name: "gateway",
        image: input.image,
        command: [...GATEWAY_RUN_COMMAND],
        port,
        env,
        resources: input.resources ?? DEFAULT_GATEWAY_RESOURCES,
        probe: { kind: "http", livenessPath: "/healthz", readinessPath: "/readyz" },
      },
      configMap: { name: input.fleet.gateway.configMapName, mountPath: GATEWAY_CONFIG_DIR },
    }),
    service: buildService(m, selector, port),
    podDisruptionBudget: buildPodDisruptionBudget(m, selector, replicas),
    networkPolicy: buildNetworkPolicy({
      meta: m,
      podSelector: selector,
      port,
      // The fleet's one public endpoint: ingress controllers, in-cluster agents and Prometheus all connect.
      from: [],
      egressTo: [{ podSelector: { matchLabels: { ...input.fleet.serverPods } } }],
      egressPorts: [...new Set(input.fleet.servers.map((s) => s.spec.port))].sort((a, b) => a - b),
    }),
    secret: { name: secretName, keys: secretKeys },
  };
  if (input.autoscaling !== undefined) out.horizontalPodAutoscaler = buildHorizontalPodAutoscaler(m, k8sName, input.autoscaling);
  if (input.ingress !== undefined) {
    const tls = input.ingress.tls;
    out.ingress = buildIngress({
      meta: m,
      host: input.ingress.host,
      path,
      serviceName: k8sName,
      ...(input.ingress.className !== undefined ? { className: input.ingress.className } : {}),
      ...(tls !== undefined ? { tls: { issuer: tls.issuer, issuerKind: tls.issuerKind ?? "ClusterIssuer", secretName: `${k8sName}-tls` } } : {}),
    });
  }
  if (monitoring.kind === "serviceMonitor") out.serviceMonitor = buildServiceMonitor(m, selector, MCP_PORT_NAME, monitoring);
  if (input.externalSecrets !== undefined) {
    out.secretStore = buildSecretStore(m, k8sName, input.externalSecrets.region);
    out.externalSecret = buildExternalSecret(m, k8sName, secretName, secretKeys, input.externalSecrets);
  }
  return out;
}

/** The gateway's objects in creation order with their roles (a Secret with values is created by the component). */
export function gatewayObjectList(o: GatewayObjects): RoleObject[] {
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
    { role: "ingress", object: o.ingress },
    { role: "monitor", object: o.serviceMonitor },
  ]);
}
