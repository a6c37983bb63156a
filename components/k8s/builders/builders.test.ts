/** The pure pieces: builders, workload decisions and argument checks (no Pulumi). */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { catalogOf, clusterFleet, dockerFleet, mixedSpecs } from "../../testing/fixtures.js";
import { dockerFleetPlan, memoryMb } from "../../docker/plan.js";
import { validateMcpGatewayArgs } from "../mcp-gateway.js";
import { checkImage } from "../validate.js";
import { adapterConfig, workloadOf } from "../../workload.js";
import { buildIngress, buildPodDisruptionBudget } from "./objects.js";
import { probes } from "./pod.js";
import { serverObjects } from "./server.js";
import { findRepoRoot } from "../../../servers/catalog/catalog.js";

const root = findRepoRoot();
const catalog = catalogOf(mixedSpecs(), root);
const fleet = clusterFleet(catalog, "ns");
const server = (name: string) => fleet.servers.find((s) => s.spec.name === name)!;

describe("workloads", () => {
  it("fronts stdio and sse servers with the gateway in passthrough mode, listening on the server's port, ready only while its server is up", () => {
    expect(adapterConfig(server("github"))).toEqual({
      listen: { host: "0.0.0.0", port: 3201, path: "/mcp" },
      naming: { separator: "__", passthrough: true },
      readiness: { requireBackends: true },
      // Its one caller, the central gateway, shows its key (hash from the adapter's Secret) and may call everything.
      auth: { mode: "apiKey", apiKeysFromEnv: "MCP_FLEET_API_KEYS" },
      servers: [
        {
          name: "github",
          timeoutMs: 30000,
          tools: { allow: [], deny: [] },
          isolation: "shared",
          access: [{ roles: ["mcp-fleet-gateway"], tools: ["*"], resources: ["*"], prompts: ["*"] }],
          transport: "stdio",
          command: "node",
          args: ["gh.js"],
          env: { LOG_LEVEL: "info" },
          inheritEnv: ["GITHUB_TOKEN"],
          cwd: "/app",
        },
      ],
    });
    expect(adapterConfig(server("legacy")).servers[0]).toMatchObject({ transport: "sse", url: "https://legacy.example.com/sse" });
    // On a network no other client reaches (Docker, dev): no key.
    expect(adapterConfig(server("github"), "0.0.0.0", "trustedNetwork")).toMatchObject({ auth: { mode: "none", trustedNetwork: true } });
    expect(adapterConfig(server("github"), "0.0.0.0", "trustedNetwork").servers[0]).not.toHaveProperty("access");
  });

  it("leaves the spec's access rules and rate limits to the central gateway: the adapter passes every call of its caller through", () => {
    const limited = clusterFleet(
      catalogOf([{ file: "servers/ltd.ts", spec: { name: "ltd", description: "x", owner: "platform", transport: { type: "stdio", command: "node", args: [] }, port: 3301, access: [{ roles: ["support"], tools: ["echo"] }], rateLimits: [{ key: "identity", perMinute: 60 }] } }], root),
    ).servers[0]!;
    const backend = adapterConfig(limited).servers[0]!;
    expect(backend.access).toEqual([{ roles: ["mcp-fleet-gateway"], tools: ["*"], resources: ["*"], prompts: ["*"] }]);
    expect(backend).not.toHaveProperty("rateLimits");
  });

  it("runs a server with its own Dockerfile from the built image, and an image server from its image", () => {
    const ctx = { gatewayImage: "ghcr.io/acme/gw:1.0.0", builtImage: (s: { k8sName: string }) => `registry.example.com/${s.k8sName}:2.0.0` };
    const hello = clusterFleet(catalogOf([{ file: "servers/hello.ts", spec: { name: "hello", description: "x", owner: "platform", transport: { type: "stdio", command: "node", args: [] }, port: 3105 } }], root)).servers[0]!;
    expect(workloadOf(hello, ctx)).toEqual({ kind: "built", image: "registry.example.com/mcp-hello:2.0.0", dockerfile: "servers/hello/Dockerfile", env: { HOST: "0.0.0.0", PORT: "3105" } });
    expect(workloadOf(server("search"), ctx)).toEqual({ kind: "image", image: "ghcr.io/acme/search:1.2.0", env: {} });
    const adapter = workloadOf(server("github"), ctx);
    expect(adapter.kind).toBe("adapter");
    expect(adapter.kind === "adapter" && parse(adapter.configYaml)).toEqual(adapterConfig(server("github")));
  });

  it("hands a stdio server's secrets to it by name: the adapter inherits exactly the variables its container gets from the server's Secret", () => {
    // Kubernetes: the server container reads each secret by secretKeyRef; the adapter config names the same variables.
    const ctx = { gatewayImage: "gw:1", builtImage: (s: { k8sName: string }) => `b/${s.k8sName}:1` };
    const w = workloadOf(server("github"), ctx);
    const k8s = serverObjects({ fleet, server: server("github"), workload: w });
    const container = k8s.deployment.spec!.template.spec!.containers[0]!;
    const fromSecrets = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.name === "mcp-github-secrets").map((e) => e.name);
    expect(fromSecrets).toEqual(["GITHUB_TOKEN"]);
    // The adapter's own session key is the adapter's: never handed to the server.
    expect((container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.name === "mcp-github-session").map((e) => e.name)).toEqual(["MCP_FLEET_SESSION_SECRET", "MCP_FLEET_API_KEYS"]);
    const mounted = parse(k8s.configMap!.data!["gateway.yaml"]!) as { servers: { inheritEnv: string[]; env: Record<string, string> }[] };
    expect(mounted.servers[0]!.inheritEnv).toEqual(fromSecrets);
    expect(Object.keys(mounted.servers[0]!.env)).not.toContain("GITHUB_TOKEN"); // a name, never a value
    // Docker (dev): the container gets the same names as secret env, the uploaded config inherits them.
    const docker = dockerFleetPlan({ fleet: dockerFleet(catalog) }).containers.find((c) => c.role === "github")!;
    expect(docker).toMatchObject({ secretEnv: ["GITHUB_TOKEN", "MCP_FLEET_SESSION_SECRET"], sessionKey: "adapter" });
    const uploaded = parse(docker.uploads[0]!.content) as { servers: { inheritEnv: string[] }[] };
    expect(uploaded.servers[0]!.inheritEnv).toEqual(["GITHUB_TOKEN"]);
    // A server without secrets inherits nothing.
    expect(adapterConfig(server("legacy")).servers[0]).not.toHaveProperty("inheritEnv");
    const noSecrets = clusterFleet(catalogOf([{ file: "servers/plain.ts", spec: { name: "plain", description: "x", owner: "platform", transport: { type: "stdio", command: "node", args: [] }, port: 3300 } }], root)).servers[0]!;
    expect(adapterConfig(noSecrets).servers[0]).toMatchObject({ inheritEnv: [] });
  });
});

describe("builders", () => {
  it("keeps one pod of a single-replica workload drainable, and one pod up of a replicated one", () => {
    const m = { name: "x", namespace: "ns", labels: {} };
    expect(buildPodDisruptionBudget(m, { a: "b" }, 1).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { a: "b" } } });
    expect(buildPodDisruptionBudget(m, { a: "b" }, 3).spec).toEqual({ minAvailable: 1, selector: { matchLabels: { a: "b" } } });
  });

  it("builds a plain-HTTP Ingress: the host's path and /.well-known/ to the Service's mcp port, without TLS or cert-manager annotations", () => {
    const ing = buildIngress({ meta: { name: "gw", namespace: "ns", labels: {} }, host: "mcp.internal", path: "/mcp", serviceName: "gw" });
    expect(ing.metadata).toEqual({ name: "gw", namespace: "ns", labels: {} });
    expect(ing.spec).toEqual({
      rules: [{ host: "mcp.internal", http: { paths: ["/mcp", "/.well-known/"].map((path) => ({ path, pathType: "Prefix", backend: { service: { name: "gw", port: { name: "mcp" } } } })) } }],
    });
  });

  it("probes over TCP when the image has no health endpoint", () => {
    expect(probes({ kind: "tcp" }, { periodSeconds: 7 }).readinessProbe).toEqual({ tcpSocket: { port: "mcp" }, periodSeconds: 7, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 2 });
  });

  it("converts Kubernetes memory quantities to Docker megabytes", () => {
    expect([memoryMb("256Mi"), memoryMb("1Gi"), memoryMb("512M"), memoryMb("1")]).toEqual([256, 1024, 489, 6]);
    expect(() => memoryMb("lots")).toThrow('"lots" is not a memory quantity such as 128Mi.');
  });
});

describe("argument checks", () => {
  it("names each bad McpGateway field and the fix", () => {
    expect(
      validateMcpGatewayArgs({ fleet: clusterFleet({ root, servers: [] }, "ns"), image: "gw", replicas: 1.5, ingress: { host: "not a host", tls: { issuer: " " } }, secrets: {} }),
    ).toEqual([
      '`image` "gw" is not pinned. Add a version tag or a digest (e.g. gw:0.1.0); `latest` does not roll pods when it changes.',
      "`replicas` 1.5 is not a replica count. Use a whole number from 0 to 100.",
      "`catalog` has no servers. Add a server under servers/ (`mcp-fleet new`) before deploying the gateway.",
      '`ingress.host` "not a host" is not a DNS name. Use the public host name clients connect to (e.g. mcp.example.com).',
      "`ingress.tls.issuer` is empty. Name the cert-manager (Cluster)Issuer that signs the certificate (e.g. letsencrypt-prod).",
      "`secrets.MCP_FLEET_SESSION_SECRET` is missing. Pass a random key of at least 32 characters: replicas share it to seal session ids.",
    ]);
  });

  it("accepts pinned tags and digests only", () => {
    expect(checkImage("image", "ghcr.io/a/b:1.2.3")).toEqual([]);
    expect(checkImage("image", "ghcr.io/a/b@sha256:abc")).toEqual([]);
    expect(checkImage("image", "Bad Image")).toEqual(['`image` "Bad Image" is not an image reference. Give a pinned image such as ghcr.io/org/mcp-fleet-gateway:0.1.0.']);
  });
});
