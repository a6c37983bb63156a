/**
 * The Kubernetes fleet, decided without Pulumi: which objects exist and from which builder inputs. The `Fleet`
 * component creates resources from this plan; `mcp-fleet synth` writes the same objects as YAML.
 */
import { PREFIX_PATTERN, type ClusterNetwork, type FleetModel, type ServerModel } from "../../servers/catalog/derive.js";
import { monitoringArgsForFleet, type FleetMonitoringArgs } from "../monitoring/fleet.js";
import type { MonitoringComponentArgs } from "../monitoring/index.js";
import { GATEWAY_AWS_NAME, gatewaySecretManagerName, irsaRoleArn, irsaRoleName, secretManagerName } from "../aws/policies.js";
import { deployedGatewayConfig, type GatewayIdentity } from "../gateway-config.js";
import { gatewayObjects, type GatewayIngressInput, type GatewayObjects, type GatewayObjectsInput } from "../k8s/builders/gateway.js";
import type { MonitoringHook } from "../k8s/builders/monitoring.js";
import { buildDefaultDenyNetworkPolicy, buildNamespace, type AutoscalingInput } from "../k8s/builders/objects.js";
import { MCP_PORT_NAME, type Resources } from "../k8s/builders/pod.js";
import { serverObjects, type ServerObjects, type ServerObjectsInput } from "../k8s/builders/server.js";
import type { INamespace, INetworkPolicy } from "../k8s/builders/types.js";
import { checkAutoscaling, checkImage, checkNamespace, checkReplicas } from "../k8s/validate.js";
import { canaryWorkloadOf, workloadOf } from "../workload.js";

export interface FleetPlanInput {
  /**
   * The fleet in its namespace (`fleetModel(catalog, { prefix, owner, network: { kind: "cluster", namespace } })`):
   * every object's name, labels and URL.
   */
  fleet: FleetModel<ClusterNetwork>;
  /** Create the namespace (with Pod Security `restricted` labels). @default true */
  createNamespace?: boolean;
  /** The gateway image, pinned; also runs the adapters of stdio/http/sse servers. */
  gatewayImage: string;
  /** Registry of images built from `servers/<name>/Dockerfile`: `<registry>/<k8sName>:<imageTag>`. @default "ghcr.io/mcp-fleet" */
  imageRegistry?: string;
  /** Tag of built images. @default "0.1.0" */
  imageTag?: string;
  gateway?: {
    /** @default 2 */
    replicas?: number;
    autoscaling?: AutoscalingInput;
    resources?: Resources;
    ingress?: GatewayIngressInput;
    /** Environment variables read from the gateway's Secret. @default ["MCP_FLEET_SESSION_SECRET"] */
    secretKeys?: string[];
    /** Reload a changed config in place instead of rolling the pods (opt-in). @default false */
    hotReload?: boolean;
    /** OpenTelemetry export of the gateway's traces. @default none */
    tracing?: GatewayObjectsInput["tracing"];
    /** Who may call the gateway, at what rate, on the record (`auth`, `rateLimits`, `audit` of its config). @default unauthenticated, in-cluster only */
    identity?: GatewayIdentity;
  };
  /** Per-server autoscaling, by server name. @default {} */
  serverAutoscaling?: Record<string, AutoscalingInput>;
  /** Namespace of the monitoring stack (may scrape every pod). @default "monitoring" */
  monitoringNamespace?: string;
  /** Scrape hook: annotations, a ServiceMonitor per Service, or none. @default { kind: "annotations" } */
  monitoring?: MonitoringHook;
  /**
   * Server secrets, and the gateway's own, come from AWS Secrets Manager through External Secrets, read with each
   * server's and the gateway's IRSA role (prod; the roles are `AwsFleet`'s, their ARNs known up front).
   * @default undefined (Secrets from Pulumi config or out of band)
   */
  awsSecrets?: { region: string; eksOidcProviderArn: string };
  /**
   * Rules, alerts and dashboards (`Monitoring`): into an existing kube-prometheus-stack, or with a Prometheus and a
   * Grafana of our own (`standalone`). Servers, SLOs and the gateway's labels and port come from the Fleet; the
   * scrape hook (`monitoring`) stays as it is. @default undefined (scrape hook only)
   */
  monitoringStack?: FleetMonitoringArgs & { mode: "kube-prometheus-stack" | "standalone" };
}

export interface FleetPlan {
  namespace?: INamespace;
  defaultDeny: INetworkPolicy;
  servers: { server: ServerModel; input: ServerObjectsInput; objects: ServerObjects }[];
  gateway: GatewayObjects;
}

export const DEFAULT_IMAGE_REGISTRY = "ghcr.io/mcp-fleet";
export const DEFAULT_IMAGE_TAG = "0.1.0";

/** Every problem of the plan's input, each naming the field and the fix. */
export function validateFleetPlanInput(input: FleetPlanInput): string[] {
  const { fleet } = input;
  const prefix = fleet.prefix;
  const problems = [
    ...checkNamespace("namespace", fleet.network.namespace),
    ...checkImage("gatewayImage", input.gatewayImage),
    ...checkReplicas("gateway.replicas", input.gateway?.replicas),
    ...checkAutoscaling("gateway.autoscaling", input.gateway?.autoscaling),
  ];
  if (!PREFIX_PATTERN.test(prefix)) {
    problems.push(`\`prefix\` ${JSON.stringify(prefix)} is not a short DNS label. Use 1-20 lowercase letters, digits and '-', starting with a letter (e.g. mcp).`);
  }
  const names = new Set(fleet.servers.map((s) => s.spec.name));
  for (const [server, a] of Object.entries(input.serverAutoscaling ?? {})) {
    if (!names.has(server)) problems.push(`\`serverAutoscaling.${server}\` names no server of the catalog. Use one of: ${[...names].sort().join(", ")}.`);
    else problems.push(...checkAutoscaling(`serverAutoscaling.${server}`, a));
  }
  for (const { spec, file, k8sName } of fleet.servers) {
    if (k8sName === fleet.gateway.k8sName) {
      problems.push(`\`catalog\`: server "${spec.name}" (${file}) would share the Kubernetes name ${k8sName} with the gateway. Rename the server.`);
    }
  }
  return problems;
}

/** The image a built server runs in the cluster: its repository is named like its objects (an ECR repository of `AwsFleet`). */
export function builtImageRef(input: Pick<FleetPlanInput, "imageRegistry" | "imageTag">, server: Pick<ServerModel, "k8sName">): string {
  return `${input.imageRegistry ?? DEFAULT_IMAGE_REGISTRY}/${server.k8sName}:${input.imageTag ?? DEFAULT_IMAGE_TAG}`;
}

/** What the gateway's objects are shaped from, but its rendered config: shared by the plan and the `Fleet`'s `McpGateway`. */
export function gatewayInput(input: FleetPlanInput): Omit<GatewayObjectsInput, "config"> {
  const g = input.gateway ?? {};
  return {
    fleet: input.fleet,
    image: input.gatewayImage,
    ...(g.replicas !== undefined ? { replicas: g.replicas } : {}),
    ...(g.autoscaling !== undefined ? { autoscaling: g.autoscaling } : {}),
    ...(g.resources !== undefined ? { resources: g.resources } : {}),
    ...(g.ingress !== undefined ? { ingress: g.ingress } : {}),
    ...(g.secretKeys !== undefined ? { secretKeys: [...g.secretKeys].sort() } : {}),
    ...(g.hotReload === true ? { rollOnConfigChange: false } : {}),
    ...(g.tracing !== undefined ? { tracing: g.tracing } : {}),
    ...(input.awsSecrets !== undefined ? gatewayAwsSecrets(input.fleet, input.awsSecrets) : {}),
    monitoring: input.monitoring ?? { kind: "annotations" },
  };
}

/** Prod: the gateway's Secret synced from its Secrets Manager secrets, read with its own IRSA role (`AwsFleet` creates both). */
function gatewayAwsSecrets(fleet: FleetPlanInput["fleet"], aws: NonNullable<FleetPlanInput["awsSecrets"]>): Pick<GatewayObjectsInput, "externalSecrets" | "serviceAccountAnnotations"> {
  const { prefix } = fleet;
  const { namespace } = fleet.network;
  return {
    externalSecrets: { region: aws.region, remoteName: (variable) => gatewaySecretManagerName(prefix, namespace, variable) },
    serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": irsaRoleArn(aws.eksOidcProviderArn, irsaRoleName(prefix, namespace, GATEWAY_AWS_NAME)) },
  };
}

/** Plans the fleet. Call {@link validateFleetPlanInput} first. */
export function planFleet(input: FleetPlanInput): FleetPlan {
  const { fleet } = input;
  const { prefix } = fleet;
  const { namespace } = fleet.network;
  const monitoring = input.monitoring ?? { kind: "annotations" };
  const servers = fleet.servers.map((server) => {
    const workload = workloadOf(server, { gatewayImage: input.gatewayImage, builtImage: (s) => builtImageRef(input, s) });
    const serverInput: ServerObjectsInput = {
      fleet,
      server,
      workload,
      monitoringNamespace: input.monitoringNamespace ?? "monitoring",
      monitoring,
    };
    const canaryWorkload = canaryWorkloadOf(server, workload);
    if (canaryWorkload !== undefined) serverInput.canaryWorkload = canaryWorkload;
    const name = server.spec.name;
    if (input.awsSecrets !== undefined) {
      const region = input.awsSecrets.region;
      serverInput.externalSecrets = { region, remoteName: (variable) => secretManagerName(prefix, namespace, name, variable) };
      if (server.spec.secrets.length > 0) {
        serverInput.serviceAccountAnnotations = { "eks.amazonaws.com/role-arn": irsaRoleArn(input.awsSecrets.eksOidcProviderArn, irsaRoleName(prefix, namespace, name)) };
      }
    }
    const autoscaling = input.serverAutoscaling?.[name];
    if (autoscaling !== undefined) serverInput.autoscaling = autoscaling;
    return { server, input: serverInput, objects: serverObjects(serverInput) };
  });
  const gateway = gatewayObjects({ ...gatewayInput(input), config: deployedGatewayConfig(fleet, input.gateway?.identity, input.gateway?.tracing === undefined ? {} : { tracing: input.gateway.tracing }) });
  const plan: FleetPlan = {
    defaultDeny: buildDefaultDenyNetworkPolicy({ name: fleet.defaultDenyName, namespace, labels: fleet.labels }),
    servers,
    gateway,
  };
  if (input.createNamespace ?? true) plan.namespace = buildNamespace(namespace, fleet.labels);
  return plan;
}

/**
 * The `Monitoring` a Fleet named `fleetName` creates for `input.monitoringStack` (undefined without one): its
 * component name and arguments. The Fleet creates it from this; `mcp-fleet synth` writes the same objects.
 */
export function planFleetMonitoring(fleetName: string, input: FleetPlanInput): { name: string; args: MonitoringComponentArgs } | undefined {
  if (input.monitoringStack === undefined) return undefined;
  return {
    name: `${fleetName}-monitoring`,
    args: monitoringArgsForFleet(input.fleet, { portName: MCP_PORT_NAME, hookAddsServiceMonitor: input.monitoring?.kind === "serviceMonitor" }, input.monitoringStack),
  };
}
