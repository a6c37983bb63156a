/**
 * The Docker (dev) fleet, decided without Pulumi: one hardened container per server and one for the gateway on a
 * private network, the gateway published on 127.0.0.1 only. Containers reach each other by their Kubernetes-style
 * names (network aliases), so the gateway config is the cluster one with Docker addresses.
 */
import type { BackendConfigInput, GatewayConfigInput } from "@mcp-fleet/gateway/config";
import { stringify } from "yaml";
import type { Catalog } from "../../servers/catalog/catalog.js";
import { deriveNames } from "../../servers/catalog/derive.js";
import { renderGatewayConfig } from "../gateway-config.js";
import { RUN_AS_USER } from "../k8s/builders/pod.js";
import { ADAPTER_CONFIG_DIR, ADAPTER_CONFIG_FILE, GATEWAY_COMMAND, SESSION_SECRET_ENV, workloadOf, type Workload } from "../workload.js";

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
  catalog: Catalog;
  /** @default "mcp" */
  prefix?: string;
  /** Tag of the images built locally. @default "dev" */
  imageTag?: string;
  /** Host port of the gateway (bound to 127.0.0.1). @default 8080 */
  gatewayPort?: number;
}

export interface DockerContainerPlan {
  /** Logical role: the server name or `gateway`. */
  role: string;
  containerName: string;
  alias: string;
  image: string;
  /** Image built here: the Dockerfile (repository-relative). */
  build?: { dockerfile: string };
  command?: string[];
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

/** The gateway's config for Docker: the cluster rendering with each Service URL replaced by the container alias. */
export function dockerGatewayConfig(catalog: Catalog, prefix: string): GatewayConfigInput {
  const config = renderGatewayConfig(catalog, { kind: "cluster", namespace: "docker", prefix });
  const ports = new Map(catalog.servers.map((s) => [s.spec.name, s.spec.port]));
  const servers = config.servers.map((backend): BackendConfigInput => {
    if (backend.transport === "stdio") return backend;
    const path = new URL(backend.url).pathname;
    return { ...backend, url: `http://${prefix}-${backend.name}:${ports.get(backend.name)}${path}` };
  });
  return { ...config, servers };
}

export function dockerFleetPlan(input: DockerFleetPlanInput): DockerFleetPlan {
  const prefix = input.prefix ?? "mcp";
  const tag = input.imageTag ?? "dev";
  const gatewayImage = localImage("gateway", tag);
  const containers: DockerContainerPlan[] = [];
  for (const entry of input.catalog.servers) {
    const { spec } = entry;
    const { k8sName } = deriveNames(spec, { prefix });
    const w: Workload = workloadOf(entry, { root: input.catalog.root, gatewayImage, builtImage: (s) => localImage(s.name, tag) });
    const plan: DockerContainerPlan = {
      role: spec.name,
      containerName: k8sName,
      alias: k8sName,
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
      plan.uploads.push({ file: `${ADAPTER_CONFIG_DIR}/${ADAPTER_CONFIG_FILE}`, content: w.configYaml });
    }
    containers.push(plan);
  }
  const config = dockerGatewayConfig(input.catalog, prefix);
  const port = config.listen?.port ?? 8080;
  containers.push({
    role: "gateway",
    containerName: `${prefix}-gateway`,
    alias: `${prefix}-gateway`,
    image: gatewayImage,
    command: [GATEWAY_COMMAND, "--config", `${ADAPTER_CONFIG_DIR}/${ADAPTER_CONFIG_FILE}`],
    env: {},
    secretEnv: [SESSION_SECRET_ENV],
    sessionKey: "fleet",
    uploads: [{ file: `${ADAPTER_CONFIG_DIR}/${ADAPTER_CONFIG_FILE}`, content: stringify(config) }],
    memoryMb: 512,
    ports: [{ internal: port, external: input.gatewayPort ?? 8080, ip: "127.0.0.1" }],
  });
  return {
    networkName: `${prefix}-fleet`,
    gatewayImage: { image: gatewayImage, dockerfile: "gateway/Dockerfile" },
    containers,
    gatewayUrl: `http://127.0.0.1:${input.gatewayPort ?? 8080}${config.listen?.path ?? "/mcp"}`,
  };
}
