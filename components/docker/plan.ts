/**
 * The Docker (dev) fleet, decided without Pulumi: one hardened container per server and one for the gateway on a
 * private network, the gateway published on 127.0.0.1 only. Containers reach each other by their names (network
 * aliases): the fleet model on the Docker network gives every URL, so the gateway config is the deployed one. A
 * spec's `canary` gets a container of its own, as Kubernetes gives it a second Deployment, where the gateway's
 * config points the server's canary.
 */
import { adaptersAuthenticate } from "../gateway-secrets.js";
import { stringify } from "yaml";
import { monitoredServers } from "../../monitoring/model.js";
import type { DockerArgs } from "../monitoring/args.js";
import type { MonitoringComponentArgs } from "../monitoring/index.js";
import { SESSION_SECRET_ENV, type DockerNetwork, type FleetModel } from "../../servers/catalog/derive.js";
import { deployedGatewayConfig } from "../gateway-config.js";
import { RUN_AS_USER } from "../k8s/builders/pod.js";
import type { ServerModel } from "../../servers/catalog/derive.js";
import { GATEWAY_CONFIG_DIR, GATEWAY_CONFIG_FILE, GATEWAY_RUN_COMMAND, canaryWorkloadOf, workloadOf, type Workload } from "../workload.js";

/** Hardening every container gets. */
export const CONTAINER_HARDENING = {
  readOnly: true,
  capDrops: ["ALL"],
  user: `${RUN_AS_USER}:${RUN_AS_USER}`,
  securityOpts: ["no-new-privileges:true"],
  tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
  restart: "unless-stopped",
} as const;

/** Local image names (never pushed). */
export function localImage(image: string, tag: string): string {
  return `mcp-fleet/${image}:${tag}`;
}

export interface DockerFleetPlanInput {
  /** The fleet on the Docker network: container names and aliases, the gateway's URLs of the servers. */
  fleet: FleetModel<DockerNetwork>;
  /** Tag of the images built locally. @default "dev" */
  imageTag?: string;
  /** Host port of the gateway (bound to 127.0.0.1). @default the gateway's port in its container (8080) */
  gatewayPort?: number;
}

export interface DockerContainerPlan {
  /** Logical role: the server name, `<server>-canary` (its canary) or `gateway`. */
  role: string;
  /** The server it runs (whose secrets it gets); unset for the gateway. */
  server?: string;
  /** Of a server: `stable`, or `canary` (the spec's `canary`: its image, version or args). */
  track?: "stable" | "canary";
  containerName: string;
  alias: string;
  /** The workload's labels (the fleet model's), on the container. */
  labels: Record<string, string>;
  image: string;
  /** Image built here: the Dockerfile (repository-relative). */
  build?: { dockerfile: string };
  command?: string[];
  /** Arguments of the image's own entrypoint (a canary's `args` of a built or image server). */
  args?: string[];
  env: Record<string, string>;
  /** Names of secret environment variables (values supplied by the caller). */
  secretEnv: string[];
  /**
   * Whose session key its `MCP_FLEET_SESSION_SECRET` (one of `secretEnv`) holds: the fleet's (the gateway) or the
   * one derived for this adapter (`adapterSessionSecret`). Unset: it seals no sessions.
   */
  sessionKey?: "fleet" | "adapter";
  /** Files uploaded into the container (configs). */
  uploads: { file: string; content: string }[];
  memoryMb: number;
  ports: { internal: number; external: number; ip: "127.0.0.1" }[];
}

export interface DockerFleetPlan {
  networkName: string;
  gatewayImage: { image: string; dockerfile: string };
  containers: DockerContainerPlan[];
  gatewayUrl: string;
}

/** Megabytes of a Kubernetes memory quantity (`256Mi` -> 256, `1Gi` -> 1024), at least 6 (Docker's minimum). */
export function memoryMb(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(quantity);
  if (m === null) throw new Error(`"${quantity}" is not a memory quantity such as 128Mi.`);
  const factor: Record<string, number> = { "": 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, K: 1000 / (1024 * 1024), M: 1e6 / (1024 * 1024), G: 1e9 / (1024 * 1024), T: 1e12 / (1024 * 1024) };
  return Math.max(6, Math.ceil(Number(m[1]) * factor[m[2] ?? ""]!));
}

/**
 * The `docker.Container` arguments of a planned container, hardened; `V` is how the values the plan does not hold
 * arrive (Pulumi inputs in the component, plain strings in tests): the network's name, the image, the environment.
 */
export function containerArgs<V>(c: DockerContainerPlan, values: { network: V; image: V; envs: V[] }) {
  return {
    name: c.containerName,
    image: values.image,
    // The plan's command starts with the executable, as a Kubernetes `command` does: it replaces the image's
    // ENTRYPOINT (Docker's `command` would only replace CMD and run `mcp-fleet-gateway mcp-fleet-gateway ...`).
    ...(c.command !== undefined ? { entrypoints: [...c.command] } : {}),
    ...(c.args !== undefined ? { command: [...c.args] } : {}),
    envs: values.envs,
    uploads: c.uploads.map((u) => ({ file: u.file, content: u.content })),
    networksAdvanced: [{ name: values.network, aliases: [c.alias] }],
    ports: c.ports.map((p) => ({ ...p })),
    labels: Object.entries(c.labels).map(([label, value]) => ({ label, value })),
    readOnly: CONTAINER_HARDENING.readOnly,
    capabilities: { drops: [...CONTAINER_HARDENING.capDrops] },
    user: CONTAINER_HARDENING.user,
    securityOpts: [...CONTAINER_HARDENING.securityOpts],
    tmpfs: { ...CONTAINER_HARDENING.tmpfs },
    restart: CONTAINER_HARDENING.restart,
    memory: c.memoryMb,
  };
}

/** What a DockerFleet's caller says of its monitoring: the docker mode's files and options, less what the fleet knows. */
export type DockerFleetMonitoringInput = Omit<MonitoringComponentArgs, "mode" | "servers" | "gateway" | "docker"> & { docker: Omit<DockerArgs, "gatewayAddress"> };

/**
 * The Monitoring (docker mode) of a Docker fleet named `name`: its name and arguments. On the host network,
 * Prometheus scrapes the gateway where it is published: 127.0.0.1:<gatewayPort>.
 */
export function dockerFleetMonitoring(name: string, fleet: Pick<FleetModel<DockerNetwork>, "servers">, plan: Pick<DockerFleetPlan, "gatewayUrl">, monitoring: DockerFleetMonitoringInput): { name: string; args: MonitoringComponentArgs } {
  return {
    name: `${name}-monitoring`,
    args: { ...monitoring, mode: "docker", servers: monitoredServers(fleet), docker: { ...monitoring.docker, gatewayAddress: new URL(plan.gatewayUrl).host } },
  };
}

/**
 * The container of a server's canary (its spec's `canary`), as Kubernetes makes its second Deployment: the stable
 * container with the canary's name and alias (`<prefix>-<name>-canary`, where the gateway's config points its
 * canary), its labels (`track: canary`, its version), its image (`canary.image`, else the stable one's) and its args
 * (an adapter's stdio server gets them in its own adapter config; a built or image server as the entrypoint's
 * arguments). `canary.replicas` is Kubernetes' alone: the dev stack runs one container.
 */
function canaryContainer(server: ServerModel, workload: Workload, stable: DockerContainerPlan, configFile: string): DockerContainerPlan | undefined {
  const canary = server.canary;
  const cw = canaryWorkloadOf(server, workload);
  if (canary === undefined || cw === undefined) return undefined;
  const { build: _built, ...rest } = stable; // the stable container builds the image (when built here); the canary reuses it by name
  return {
    ...rest,
    role: `${server.spec.name}-canary`,
    track: "canary",
    containerName: canary.k8sName,
    alias: canary.k8sName,
    labels: { ...canary.labels },
    image: cw.image,
    secretEnv: [...stable.secretEnv],
    uploads: cw.adapter !== undefined ? [{ file: configFile, content: cw.adapter.configYaml }] : [],
    ...(cw.args !== undefined ? { args: [...cw.args] } : {}),
  };
}

export function dockerFleetPlan(input: DockerFleetPlanInput): DockerFleetPlan {
  const { fleet } = input;
  const tag = input.imageTag ?? "dev";
  const gatewayImage = localImage("gateway", tag);
  const configFile = `${GATEWAY_CONFIG_DIR}/${GATEWAY_CONFIG_FILE}`;
  const containers: DockerContainerPlan[] = [];
  for (const server of fleet.servers) {
    const { spec, k8sName } = server;
    // Docker (dev) publishes only the gateway, on 127.0.0.1: adapters stay `trustedNetwork` there (components/gateway-secrets.ts).
    const w = workloadOf(server, { gatewayImage, builtImage: (s) => localImage(s.spec.name, tag), adapterAuth: adaptersAuthenticate(fleet.network) ? "apiKey" : "trustedNetwork" });
    const plan: DockerContainerPlan = {
      role: spec.name,
      server: spec.name,
      track: "stable",
      containerName: k8sName,
      alias: k8sName,
      labels: { ...server.labels },
      image: w.image,
      env: w.kind === "adapter" ? {} : { ...w.env },
      secretEnv: [...spec.secrets],
      uploads: [],
      memoryMb: memoryMb(spec.resources.limits.memory),
      ports: [],
    };
    if (w.kind === "built") plan.build = { dockerfile: w.dockerfile };
    if (w.kind === "adapter") {
      plan.command = [...w.command];
      plan.secretEnv.push(SESSION_SECRET_ENV);
      plan.sessionKey = "adapter";
      plan.uploads.push({ file: configFile, content: w.configYaml });
    }
    containers.push(plan);
    const canary = canaryContainer(server, w, plan, configFile);
    if (canary !== undefined) containers.push(canary);
  }
  const config = deployedGatewayConfig(fleet);
  const { k8sName: gatewayName, port, path } = fleet.gateway;
  const hostPort = input.gatewayPort ?? port;
  containers.push({
    role: "gateway",
    containerName: gatewayName,
    alias: gatewayName,
    labels: { ...fleet.gateway.labels },
    image: gatewayImage,
    command: [...GATEWAY_RUN_COMMAND],
    env: {},
    secretEnv: [SESSION_SECRET_ENV],
    sessionKey: "fleet",
    uploads: [{ file: configFile, content: stringify(config) }],
    memoryMb: 512,
    ports: [{ internal: port, external: hostPort, ip: "127.0.0.1" }],
  });
  return {
    networkName: `${fleet.prefix}-fleet`,
    gatewayImage: { image: gatewayImage, dockerfile: "gateway/Dockerfile" },
    containers,
    gatewayUrl: `http://127.0.0.1:${hostPort}${path}`,
  };
}
