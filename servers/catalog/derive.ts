/**
 * Everything the fleet derives from its server specs, computed here and only here: the exposed-name rules (the
 * gateway's own, re-exported), how a server runs once deployed, Kubernetes object names, labels and selectors,
 * in-cluster URLs, and how a spec becomes a gateway backend.
 *
 * {@link fleetModel} applies them once to a catalog and a deployment's settings (prefix, owner, where it runs). The
 * components, the rendered gateway configs, monitoring and the AWS pieces read names, labels and URLs from that
 * model; none of them builds one.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SEPARATOR, EXCHANGED_HEADER, type BackendConfigInput } from "@mcp-fleet/gateway/config";
import type { Catalog } from "./catalog.js";
import type { ServerSpec } from "./spec.js";

export { DEFAULT_SEPARATOR, EXPOSED_NAME_PATTERN, MAX_EXPOSED_NAME_LENGTH } from "@mcp-fleet/gateway/config";

/**
 * Longest server name. The rule: `<name>__` takes at most 32 of the 64 characters of an exposed name, so every tool
 * keeps at least 32 characters of its own. It also bounds object names: `<prefix>-<name>-session`, the longest, is at
 * most 20 + 1 + 30 + 8 = 59 characters, inside Kubernetes' 63 (a prefix has at most 20, {@link PREFIX_PATTERN}).
 */
export const MAX_SERVER_NAME_LENGTH = 32 - DEFAULT_SEPARATOR.length;

/** `<server><separator><name>`: how the fleet's gateway names a server's tool or prompt, before shortening what does not fit. */
export function prefixedName(server: string, name: string): string {
  return `${server}${DEFAULT_SEPARATOR}${name}`;
}

/** Prefix of the fleet's object names. @default "mcp" */
export const DEFAULT_PREFIX = "mcp";
/** What a prefix may be: a DNS label of 1-20 characters starting with a letter, so that every object name fits 63. */
export const PREFIX_PATTERN = /^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/;
/** Owner label value of the fleet-level objects (the gateway, the namespace). */
export const DEFAULT_FLEET_OWNER = "platform";
/** Environment variable the gateway image reads its session-sealing key from (the central gateway and adapters). */
export const SESSION_SECRET_ENV = "MCP_FLEET_SESSION_SECRET";
/** Path of the MCP endpoint of the gateway and of its adapters. */
export const MCP_PATH = "/mcp";
/** Port the central gateway listens on in its pod or container. */
export const GATEWAY_PORT = 8080;

/** How a server runs once deployed, decided from its spec and the repository for every target alike. */
export type ServerRuns =
  /** It has its own `servers/<name>/Dockerfile`: its built image serves Streamable HTTP on `port` at `/mcp`. */
  | { kind: "built"; dockerfile: string }
  /** A prebuilt image (`transport.type: "image"`) serving Streamable HTTP at `transport.path`. */
  | { kind: "image"; image: string }
  /** stdio, http and sse servers run behind the gateway image in single-backend passthrough mode, at `/mcp`. */
  | { kind: "adapter" };

/** Repository-relative Dockerfile of a server, when it has one. */
export function serverDockerfile(root: string, spec: Pick<ServerSpec, "name">): string | undefined {
  const file = join("servers", spec.name, "Dockerfile");
  return existsSync(join(root, file)) ? file : undefined;
}

export function serverRuns(root: string, spec: ServerSpec): ServerRuns {
  const dockerfile = serverDockerfile(root, spec);
  if (dockerfile !== undefined) return { kind: "built", dockerfile };
  if (spec.transport.type === "image") return { kind: "image", image: spec.transport.image };
  return { kind: "adapter" };
}

function endpointPath(spec: ServerSpec, runs: ServerRuns): string {
  return runs.kind === "image" && spec.transport.type === "image" ? spec.transport.path : MCP_PATH;
}

/** Where a fleet runs, which decides how its workloads reach each other. */
export type FleetNetwork =
  /** Kubernetes: every workload behind a Service in one namespace. */
  | { kind: "cluster"; namespace: string }
  /** Docker: every container on one network, reached by its alias. */
  | { kind: "docker" };
export type ClusterNetwork = Extract<FleetNetwork, { kind: "cluster" }>;
export type DockerNetwork = Extract<FleetNetwork, { kind: "docker" }>;

/** DNS name of a Service inside the cluster. */
export function clusterServiceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The host a workload named `name` is reached at on the fleet's network: its Service, or its Docker alias. */
function hostOn(network: FleetNetwork, name: string): string {
  return network.kind === "cluster" ? clusterServiceHost(name, network.namespace) : name;
}

function httpUrl(host: string, port: number, path: string): string {
  return `http://${host}:${port}${path}`;
}

/** The labels a workload's pods are selected by: its name and instance (stable: adding a label never orphans a ReplicaSet). */
export function selectorOf(labels: Record<string, string>): Record<string, string> {
  return {
    "app.kubernetes.io/name": labels["app.kubernetes.io/name"] ?? "",
    "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"] ?? "",
  };
}

/** Labels every object of the fleet carries. */
export function fleetLabels(owner: string): Record<string, string> {
  return { "app.kubernetes.io/part-of": "mcp-fleet", "app.kubernetes.io/managed-by": "mcp-fleet", "mcp-fleet.dev/owner": owner };
}

/** Labels of one workload's objects: `app.kubernetes.io/{name,instance,component}` and the fleet's. */
export function workloadLabels(w: { name: string; instance: string; component: string; owner: string }): Record<string, string> {
  return { "app.kubernetes.io/name": w.name, "app.kubernetes.io/instance": w.instance, "app.kubernetes.io/component": w.component, ...fleetLabels(w.owner) };
}

/** Label of a canary's objects (`canary`); the stable ones have none. */
export const TRACK_LABEL = "mcp-fleet.dev/track";

/** `app.kubernetes.io/component` of every server's objects. */
const SERVER_COMPONENT = "mcp-server";

export interface ServerModel {
  spec: ServerSpec;
  /** Repository-relative spec file, e.g. `servers/memory.ts`. */
  file: string;
  runs: ServerRuns;
  /** Name of its objects (Deployment, Service, ServiceAccount, the IRSA subject) and of its Docker container and alias: `<prefix>-<name>`. */
  k8sName: string;
  /** Its objects' labels: the spec's own `labels`, then the derived ones (which win). */
  labels: Record<string, string>;
  /** What selects its pods (derived labels only: the spec's may change without recreating a Deployment). */
  selector: Record<string, string>;
  /** Secret holding its secret variables, one key each: `<k8sName>-secrets`. */
  secretName: string;
  /** Adapters: the ConfigMap of the adapter's gateway config, and the Secret of its replicas' shared session key. */
  adapter?: { configMapName: string; sessionSecretName: string };
  /** Path of its MCP endpoint: `transport.path` for an image server, `/mcp` otherwise. */
  path: string;
  /** Where the fleet's gateway reaches it (Streamable HTTP): `http://<Service or alias>:<port><path>`. */
  url: string;
  /** Kubernetes: the headless Service whose DNS name has one address per ready pod (the gateway balances over them). */
  headless?: { serviceName: string; url: string };
  /** A spec with `canary`: its Deployment, Service (and adapter ConfigMap), labels, selector and URL. */
  canary?: { k8sName: string; labels: Record<string, string>; selector: Record<string, string>; url: string; configMapName?: string };
}

export interface GatewayModel {
  /** Name of its objects, container and alias: `<prefix>-gateway`. */
  k8sName: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  /** Secret holding its keys (`MCP_FLEET_SESSION_SECRET`, ...): `<k8sName>-keys`. */
  secretName: string;
  /** ConfigMap of its rendered config: `<k8sName>-config`. */
  configMapName: string;
  port: number;
  path: string;
  /** Its MCP endpoint on the fleet's network. */
  url: string;
}

export interface FleetModel<N extends FleetNetwork = FleetNetwork> {
  /** Repository root of the catalog (Dockerfiles, the local gateway's working directory). */
  root: string;
  prefix: string;
  /** Owner of the fleet-level objects (`mcp-fleet.dev/owner`). */
  owner: string;
  network: N;
  /** Labels of the fleet-level objects (namespace, default-deny policy). */
  labels: Record<string, string>;
  /** Name of the NetworkPolicy that denies all traffic the workloads do not open: `<prefix>-default-deny`. */
  defaultDenyName: string;
  /** Labels every server's pods carry, and no other pod: what the gateway may connect to. */
  serverPods: Record<string, string>;
  /** Every server of the catalog, sorted by name. */
  servers: ServerModel[];
  gateway: GatewayModel;
}

export interface FleetModelOptions<N extends FleetNetwork = FleetNetwork> {
  /** @default DEFAULT_PREFIX */
  prefix?: string;
  /** @default DEFAULT_FLEET_OWNER */
  owner?: string;
  network: N;
}

/** The catalog as one deployment sees it: every derived name, label and URL of every server and of the gateway. */
export function fleetModel<N extends FleetNetwork>(catalog: Pick<Catalog, "root" | "servers">, options: FleetModelOptions<N>): FleetModel<N> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const owner = options.owner ?? DEFAULT_FLEET_OWNER;
  const gatewayName = `${prefix}-gateway`;
  const gatewayLabels = workloadLabels({ name: "mcp-fleet-gateway", instance: gatewayName, component: "gateway", owner });
  const servers = catalog.servers.map(({ spec, file }): ServerModel => {
    const k8sName = `${prefix}-${spec.name}`;
    const derived = workloadLabels({ name: spec.name, instance: k8sName, component: SERVER_COMPONENT, owner: spec.owner });
    const runs = serverRuns(catalog.root, spec);
    const path = endpointPath(spec, runs);
    const server: ServerModel = {
      spec,
      file,
      runs,
      k8sName,
      labels: { ...spec.labels, ...derived },
      selector: selectorOf(derived),
      secretName: `${k8sName}-secrets`,
      path,
      url: httpUrl(hostOn(options.network, k8sName), spec.port, path),
    };
    if (runs.kind === "adapter") server.adapter = { configMapName: `${k8sName}-config`, sessionSecretName: `${k8sName}-session` };
    if (options.network.kind === "cluster") {
      const serviceName = `${k8sName}-headless`;
      server.headless = { serviceName, url: httpUrl(clusterServiceHost(serviceName, options.network.namespace), spec.port, path) };
    }
    if (spec.canary !== undefined) {
      const canaryName = `${k8sName}-canary`;
      const canaryDerived = workloadLabels({ name: spec.name, instance: canaryName, component: SERVER_COMPONENT, owner: spec.owner });
      server.canary = {
        k8sName: canaryName,
        labels: { ...spec.labels, ...canaryDerived, [TRACK_LABEL]: "canary", "app.kubernetes.io/version": spec.canary.version },
        selector: selectorOf(canaryDerived),
        url: spec.canary.url ?? httpUrl(hostOn(options.network, canaryName), spec.port, path),
        ...(runs.kind === "adapter" ? { configMapName: `${canaryName}-config` } : {}),
      };
    }
    return server;
  });
  return {
    root: catalog.root,
    prefix,
    owner,
    network: options.network,
    labels: fleetLabels(owner),
    defaultDenyName: `${prefix}-default-deny`,
    serverPods: { "app.kubernetes.io/component": SERVER_COMPONENT, "app.kubernetes.io/part-of": "mcp-fleet" },
    servers,
    gateway: {
      k8sName: gatewayName,
      labels: gatewayLabels,
      selector: selectorOf(gatewayLabels),
      secretName: `${gatewayName}-keys`,
      configMapName: `${gatewayName}-config`,
      port: GATEWAY_PORT,
      path: MCP_PATH,
      url: httpUrl(hostOn(options.network, gatewayName), GATEWAY_PORT, MCP_PATH),
    },
  };
}

/**
 * How a gateway reaches a server: runs it as its spec says (`cwd`: where a stdio command runs), or at a URL
 * (`dns`: the URL's name has an address per pod, a headless Service; `canaryUrl`: where its canary is).
 */
export type BackendReach = { kind: "as-specified"; cwd: string } | { kind: "url"; url: string; dns?: boolean; canaryUrl?: string; viaAdapter?: boolean };

/**
 * The MCP revision the central gateway speaks to a server's adapter: the server's own when pinned; under `auto`,
 * 2025-11-25, the revision of most servers: the adapter then passes the calls through as they come, where `auto`
 * would have the central gateway speak 2026-07-28 to the adapter (it offers it) and both gateways translate every
 * call (the central one for its 2025 callers, the adapter back for its 2025 server). Pin `protocol: 2026-07-28` in
 * the spec of a 2026 server to have no translation on either hop.
 */
export function adapterHopProtocol(spec: Pick<ServerSpec, "protocol">): "2025-11-25" | "2026-07-28" {
  return spec.protocol === "2026-07-28" ? "2026-07-28" : "2025-11-25";
}

/**
 * What the central gateway's backend toward a server's adapter carries beyond its URL: the revision
 * (`adapterHopProtocol`), and HTTP/1.1 pipelining, since the adapter is our own gateway, which handles pipelined
 * requests at once (quick calls leave together, a write and a wake-up for several; gateway/README.md, Performance).
 */
export function adapterHop(spec: Pick<ServerSpec, "protocol">): { protocol: "2025-11-25" | "2026-07-28"; pipelining: true } {
  return { protocol: adapterHopProtocol(spec), pipelining: true };
}

/**
 * The gateway's resilience settings of a spec (balancing, health checks, breaker, retries, fallback; the canary is
 * added by reach), only where they differ from the gateway's own defaults: a spec that sets none renders as before.
 */
function resilienceOf(spec: ServerSpec): Pick<BackendConfigInput, "balancing" | "healthCheck" | "breaker" | "retries" | "fallback"> {
  const h = spec.healthCheck;
  const out: Pick<BackendConfigInput, "balancing" | "healthCheck" | "breaker" | "retries" | "fallback"> = {};
  if (spec.balancing !== "least-outstanding") out.balancing = spec.balancing;
  if (h.method !== "ping" || h.intervalSeconds !== 10 || h.timeoutSeconds !== 5 || h.failureThreshold !== 3) {
    out.healthCheck = { kind: h.method, intervalMs: h.intervalSeconds * 1000, timeoutMs: h.timeoutSeconds * 1000, failureThreshold: h.failureThreshold };
  }
  if (Object.keys(spec.breaker).length > 0) out.breaker = { ...spec.breaker };
  if (Object.keys(spec.retries).length > 0) out.retries = { ...spec.retries };
  if (Object.keys(spec.fallback).length > 0) out.fallback = Object.fromEntries(Object.entries(spec.fallback).map(([tool, servers]) => [tool, [...servers]]));
  return out;
}

/**
 * A spec's `credentials` in gateway config: its `identity` wherever the server is reached (the central gateway signs
 * or exchanges the caller's token; toward an adapter, whose Authorization is the adapter's own key, an exchanged
 * token travels in X-MCP-Fleet-Exchanged-Token), with `relay` where the server's own process is (its adapter passes
 * on what the central gateway sent; a local run drops it); its `headers` only where its secrets are.
 */
function credentialsOf(spec: ServerSpec, withHeaders: boolean, hop: "adapter" | "direct" | "own-process"): Pick<BackendConfigInput, "credentials"> {
  const headers = withHeaders ? spec.credentials.headers : {};
  const given = spec.credentials.identity;
  if (given === undefined && Object.keys(headers).length === 0) return {};
  const identity = given === undefined ? undefined : { ...given, ...(hop === "own-process" ? { relay: true } : {}), ...(hop === "adapter" && given.type === "token-exchange" ? { header: EXCHANGED_HEADER } : {}) };
  return { credentials: { ...(Object.keys(headers).length > 0 ? { headers: { ...headers } } : {}), ...(identity !== undefined ? { identity } : {}) } };
}

/**
 * The gateway backend of a spec: the one place a spec becomes gateway config. Secrets by name only: a stdio
 * server's are listed in `inheritEnv`, and the gateway hands them on from its own environment.
 */
export function gatewayBackend(spec: ServerSpec, reach: BackendReach): BackendConfigInput {
  const common = {
    name: spec.name,
    timeoutMs: spec.timeoutMs,
    tools: { allow: [...spec.tools.allow], deny: [...spec.tools.deny] },
    isolation: spec.isolation,
    // The MCP revision toward the server: rendered when pinned (`auto` is the gateway's own default); toward its
    // adapter, the one the adapter passes through untranslated (`adapterHop`, below).
    ...(spec.protocol === "auto" || (reach.kind === "url" && reach.viaAdapter === true) ? {} : { protocol: spec.protocol }),
    ...(spec.access.length > 0 ? { access: spec.access.map((r) => ({ roles: [...r.roles], tools: [...r.tools], resources: [...r.resources], prompts: [...r.prompts] })) } : {}),
    ...(spec.rateLimits.length > 0 ? { rateLimits: spec.rateLimits.map((r) => ({ ...r })) } : {}),
    ...resilienceOf(spec),
  };
  const t = spec.transport;
  const canary = spec.canary;
  if (reach.kind === "url") {
    return {
      ...common,
      transport: "http",
      url: reach.url,
      ...(reach.viaAdapter === true ? adapterHop(spec) : {}),
      ...(reach.dns === true ? { dns: {} } : {}),
      ...credentialsOf(spec, false, reach.viaAdapter === true ? "adapter" : "direct"),
      ...(canary !== undefined && reach.canaryUrl !== undefined ? { canary: { weight: canary.weight, version: canary.version, url: reach.canaryUrl } } : {}),
    };
  }
  switch (t.type) {
    case "stdio":
      return {
        ...common,
        transport: "stdio",
        command: t.command,
        args: [...t.args],
        env: { ...spec.env, ...t.env },
        inheritEnv: [...spec.secrets],
        cwd: reach.cwd,
        ...(spec.instances !== 1 ? { instances: spec.instances } : {}),
        ...credentialsOf(spec, false, "own-process"),
        ...(canary !== undefined ? { canary: { weight: canary.weight, version: canary.version, ...(canary.args !== undefined ? { args: [...canary.args] } : {}) } } : {}),
      };
    case "http":
    case "sse": {
      // Credentials only where the server is reached as specified (its adapter, or a local run): that is where its secrets are.
      const credentials = credentialsOf(spec, true, "own-process");
      const canaryOf = canary?.url !== undefined ? { canary: { weight: canary.weight, version: canary.version, url: canary.url } } : {};
      if (t.type === "http") return { ...common, transport: "http", url: t.url, ...credentials, ...canaryOf };
      // The catalog refuses 2026-07-28 over SSE (it predates it).
      const { protocol: _pinned, ...rest } = common;
      return { ...rest, transport: "sse", url: t.url, ...(spec.protocol === "2025-11-25" ? { protocol: "2025-11-25" as const } : {}), ...credentials, ...canaryOf };
    }
    case "image":
      throw new Error(`Server "${spec.name}" runs from container image ${t.image}: a gateway reaches it only at its deployed URL.`);
  }
}
