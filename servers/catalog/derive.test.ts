import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalogFromSpecs } from "./catalog.js";
import { MAX_SERVER_NAME_LENGTH, fleetModel, gatewayBackend } from "./derive.js";
import type { ServerSpecInput } from "./spec.js";

const root = mkdtempSync(join(tmpdir(), "mcp-fleet-derive-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// A server with its own Dockerfile runs its built image, whatever its transport says.
mkdirSync(join(root, "servers", "built"), { recursive: true });
writeFileSync(join(root, "servers", "built", "Dockerfile"), "FROM scratch\n");

const base = { description: "x", owner: "agents" } as const;
const specs: { file: string; spec: ServerSpecInput }[] = [
  { file: "servers/memory.ts", spec: { ...base, name: "memory", transport: { type: "stdio", command: "node" }, port: 3102, labels: { tier: "gold", "app.kubernetes.io/name": "spoofed" } } },
  { file: "servers/search.ts", spec: { ...base, name: "search", transport: { type: "image", image: "ghcr.io/acme/search:1.0.0", path: "/rpc" }, port: 3103 } },
  { file: "servers/built.ts", spec: { ...base, name: "built", transport: { type: "image", image: "ghcr.io/acme/built:1.0.0", path: "/rpc" }, port: 3104 } },
];
const catalog = loadCatalogFromSpecs(specs, { root });

describe("fleetModel", () => {
  const fleet = fleetModel(catalog, { prefix: "prod", owner: "infra", network: { kind: "cluster", namespace: "tools" } });
  const server = (name: string) => fleet.servers.find((s) => s.spec.name === name)!;

  it("names a server's objects, labels and selects them, and gives its in-cluster URL", () => {
    expect(server("memory")).toMatchObject({
      runs: { kind: "adapter" },
      k8sName: "prod-memory",
      labels: {
        tier: "gold",
        "app.kubernetes.io/name": "memory",
        "app.kubernetes.io/instance": "prod-memory",
        "app.kubernetes.io/component": "mcp-server",
        "app.kubernetes.io/part-of": "mcp-fleet",
        "app.kubernetes.io/managed-by": "mcp-fleet",
        "mcp-fleet.dev/owner": "agents",
      },
      selector: { "app.kubernetes.io/name": "memory", "app.kubernetes.io/instance": "prod-memory" },
      secretName: "prod-memory-secrets",
      adapter: { configMapName: "prod-memory-config", sessionSecretName: "prod-memory-session" },
      path: "/mcp",
      url: "http://prod-memory.tools.svc.cluster.local:3102/mcp",
    });
  });

  it("serves an image server at its own path, and a server with a Dockerfile at /mcp from its built image", () => {
    expect(server("search")).toMatchObject({ runs: { kind: "image", image: "ghcr.io/acme/search:1.0.0" }, url: "http://prod-search.tools.svc.cluster.local:3103/rpc" });
    expect(server("search").adapter).toBeUndefined();
    expect(server("built")).toMatchObject({ runs: { kind: "built", dockerfile: "servers/built/Dockerfile" }, url: "http://prod-built.tools.svc.cluster.local:3104/mcp" });
  });

  it("names the gateway's objects, and selects every server's pods and no other for its egress", () => {
    expect(fleet.gateway).toEqual({
      k8sName: "prod-gateway",
      labels: {
        "app.kubernetes.io/name": "mcp-fleet-gateway",
        "app.kubernetes.io/instance": "prod-gateway",
        "app.kubernetes.io/component": "gateway",
        "app.kubernetes.io/part-of": "mcp-fleet",
        "app.kubernetes.io/managed-by": "mcp-fleet",
        "mcp-fleet.dev/owner": "infra",
      },
      selector: { "app.kubernetes.io/name": "mcp-fleet-gateway", "app.kubernetes.io/instance": "prod-gateway" },
      secretName: "prod-gateway-keys",
      configMapName: "prod-gateway-config",
      port: 8080,
      path: "/mcp",
      url: "http://prod-gateway.tools.svc.cluster.local:8080/mcp",
    });
    const selects = (labels: Record<string, string>) => Object.entries(fleet.serverPods).every(([k, v]) => labels[k] === v);
    expect(fleet.servers.every((s) => selects(s.labels))).toBe(true);
    expect(selects(fleet.gateway.labels)).toBe(false);
    expect(fleet).toMatchObject({ labels: { "app.kubernetes.io/part-of": "mcp-fleet", "app.kubernetes.io/managed-by": "mcp-fleet", "mcp-fleet.dev/owner": "infra" }, defaultDenyName: "prod-default-deny" });
  });

  it("reaches workloads on a Docker network by their names", () => {
    const docker = fleetModel(catalog, { network: { kind: "docker" } });
    expect(docker.servers.map((s) => s.url)).toEqual(["http://mcp-built:3104/mcp", "http://mcp-memory:3102/mcp", "http://mcp-search:3103/rpc"]);
    expect(docker.gateway.url).toBe("http://mcp-gateway:8080/mcp");
  });

  it("keeps the longest object name of the longest server under the longest prefix inside Kubernetes' 63 characters", () => {
    const name = "a".repeat(MAX_SERVER_NAME_LENGTH);
    const long = loadCatalogFromSpecs([{ file: `servers/${name}.ts`, spec: { ...base, name, transport: { type: "stdio", command: "node" }, port: 3101 } }], { root });
    const s = fleetModel(long, { prefix: "p".repeat(20), network: { kind: "cluster", namespace: "tools" } }).servers[0]!;
    const names = [s.k8sName, s.secretName, s.adapter!.configMapName, s.adapter!.sessionSecretName];
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(63);
  });
});

describe("gatewayBackend", () => {
  it("renders credentials.identity where the server is reached at a URL and as specified (there with relay, for its adapter), header templates only as specified", () => {
    const specs = [
      { file: "servers/who.ts", spec: { ...base, name: "who", transport: { type: "stdio", command: "node" }, port: 3110, credentials: { identity: { type: "signed-header", ttlSeconds: 120 } } } },
      { file: "servers/far.ts", spec: { ...base, name: "far", transport: { type: "http", url: "https://far.example.com/mcp" }, port: 3111, secrets: ["FAR_TOKEN"], credentials: { headers: { Authorization: "Bearer ${FAR_TOKEN}" }, identity: { type: "signed-header" } } } },
    ] satisfies { file: string; spec: ServerSpecInput }[];
    const loaded = loadCatalogFromSpecs(specs, { root }).servers.map((s) => s.spec);
    const [who, far] = ["who", "far"].map((name) => loaded.find((s) => s.name === name));
    const identity = { type: "signed-header" };
    expect(gatewayBackend(who!, { kind: "url", url: "http://who:3110/mcp" }).credentials).toEqual({ identity: { ...identity, ttlSeconds: 120 } });
    expect(gatewayBackend(who!, { kind: "as-specified", cwd: "/" }).credentials).toEqual({ identity: { ...identity, ttlSeconds: 120, relay: true } });
    expect(gatewayBackend(far!, { kind: "url", url: "http://far:3111/mcp" }).credentials).toEqual({ identity });
    expect(gatewayBackend(far!, { kind: "as-specified", cwd: "/" }).credentials).toEqual({ headers: { Authorization: "Bearer ${FAR_TOKEN}" }, identity: { ...identity, relay: true } });
    const exchanging = { ...far!, credentials: { headers: {}, identity: { type: "token-exchange" as const, tokenEndpoint: "https://idp.example.com/token", clientId: "gw", clientSecretEnv: "FAR_EXCHANGE" } } };
    const exchange = { type: "token-exchange", tokenEndpoint: "https://idp.example.com/token", clientId: "gw", clientSecretEnv: "FAR_EXCHANGE" };
    // Toward its adapter (whose Authorization is the adapter's key) the exchanged token has a header of its own.
    expect(gatewayBackend(exchanging, { kind: "url", url: "http://far:3111/mcp", viaAdapter: true }).credentials).toEqual({ identity: { ...exchange, header: "X-MCP-Fleet-Exchanged-Token" } });
    expect(gatewayBackend(exchanging, { kind: "url", url: "http://far:3111/mcp" }).credentials).toEqual({ identity: exchange });
    expect(gatewayBackend(exchanging, { kind: "as-specified", cwd: "/" }).credentials).toEqual({ identity: { ...exchange, relay: true } });
  });

  it("refuses to spawn an image server: it is reachable only where it is deployed", () => {
    expect(() => gatewayBackend(server("search").spec, { kind: "as-specified", cwd: "/" })).toThrow("Server \"search\" runs from container image ghcr.io/acme/search:1.0.0: a gateway reaches it only at its deployed URL.");
  });
});

function server(name: string) {
  return fleetModel(catalog, { network: { kind: "docker" } }).servers.find((s) => s.spec.name === name)!;
}
