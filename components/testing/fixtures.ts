/** Test fixtures: generated catalogs (any size), known secret values, and lookups over recorded resources. */
import * as pulumi from "@pulumi/pulumi";
import { loadCatalogFromSpecs, type Catalog } from "../../servers/catalog/catalog.js";
import { fleetModel, type ClusterNetwork, type DockerNetwork, type FleetModel } from "../../servers/catalog/derive.js";
import type { ServerSpecInput } from "../../servers/catalog/spec.js";
import type { RegisteredResource } from "../plan/run-under-mocks.js";

/** A secret value no output may contain. */
export const KNOWN_SECRET = "s3cr3t-7f1c9a-never-print-me";
export const KNOWN_SERVER_SECRET = "ghp_known-server-token-0c5e";

/** Three servers covering every workload kind: stdio (adapter, with a secret), image, and sse (adapter). */
export function mixedSpecs(): { file: string; spec: ServerSpecInput }[] {
  return [
    {
      file: "servers/github.ts",
      spec: { name: "github", description: "GitHub tools", owner: "devex", transport: { type: "stdio", command: "node", args: ["gh.js"] }, port: 3201, secrets: ["GITHUB_TOKEN"], env: { LOG_LEVEL: "info" } },
    },
    {
      file: "servers/search.ts",
      spec: {
        name: "search",
        description: "Search over HTTP",
        owner: "platform",
        transport: { type: "image", image: "ghcr.io/acme/search:1.2.0", path: "/rpc" },
        port: 3202,
        replicas: 3,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        healthCheck: { intervalSeconds: 15, timeoutSeconds: 3, failureThreshold: 4 },
      },
    },
    { file: "servers/legacy.ts", spec: { name: "legacy", description: "Legacy SSE server", owner: "platform", transport: { type: "sse", url: "https://legacy.example.com/sse" }, port: 3203 } },
  ];
}

/** `n` generated stdio servers (benchmarks, scale tests). */
export function generatedSpecs(n: number): { file: string; spec: ServerSpecInput }[] {
  return Array.from({ length: n }, (_, i) => ({
    file: `servers/gen-${i}.ts`,
    spec: { name: `gen-${i}`, description: `Generated server ${i}`, owner: "bench", transport: { type: "stdio" as const, command: "node", args: [`gen-${i}.js`] }, port: 10_000 + i },
  }));
}

export function catalogOf(specs: { file: string; spec: ServerSpecInput }[], root?: string): Catalog {
  return loadCatalogFromSpecs(specs, root !== undefined ? { root } : {});
}

/** A catalog's fleet model in a namespace. */
export function clusterFleet(catalog: Catalog, namespace = "tools", options: { prefix?: string; owner?: string } = {}): FleetModel<ClusterNetwork> {
  return fleetModel(catalog, { ...options, network: { kind: "cluster", namespace } });
}

/** A catalog's fleet model on a Docker network. */
export function dockerFleet(catalog: Catalog, options: { prefix?: string } = {}): FleetModel<DockerNetwork> {
  return fleetModel(catalog, { ...options, network: { kind: "docker" } });
}

/** The one resource of a type and name; throws (failing the test) when absent. */
export function find(resources: readonly RegisteredResource[], type: string, name: string): RegisteredResource {
  const r = resources.find((x) => x.type === type && x.name === name);
  if (r === undefined) throw new Error(`no ${type} named ${name}; have: ${resources.map((x) => `${x.type} ${x.name}`).join(", ")}`);
  return r;
}

/** Kubernetes resources only (type `kubernetes:*`). */
export function kubernetesObjects(resources: readonly RegisteredResource[]): RegisteredResource[] {
  return resources.filter((r) => r.type.startsWith("kubernetes:"));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A mock engine's inputs with Pulumi's secret wrappers removed: the values the cluster would hold. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrapSecrets(obj.value);
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/**
 * The environment Kubernetes gives a container: plain values, and `secretKeyRef`s resolved from the Secrets among
 * `registered` (inputs unwrapped, {@link unwrapSecrets}); throws when a reference names a Secret nobody creates.
 */
export function containerEnvOf(registered: readonly { type: string; inputs: Json }[], container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref === undefined) continue;
    const secret = registered.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === ref.name);
    if (secret === undefined) throw new Error(`env ${e.name} references Secret ${ref.name}, which the Fleet does not create`);
    env[e.name] = secret.inputs.stringData[ref.key];
  }
  return env;
}
