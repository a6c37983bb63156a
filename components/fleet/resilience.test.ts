/**
 * What the fleet renders for the gateway's resilience: a headless Service per server (DNS discovery of its pods),
 * a canary's own Deployment, Service, NetworkPolicy and adapter config (its args, version and image), the split
 * in the gateway config, rolling updates that never take a pod down first, hot reload of the gateway's config
 * instead of rolling (opt-in), the collector endpoint, and the spec's resilience settings; every policy of the
 * pack passes on it.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/policies.js";
import { checkAll } from "../../policies/test/analyze.js";
import { planRecords } from "../../policies/test/fixtures.js";
import type { ServerSpecInput } from "../../servers/catalog/spec.js";
import { localGatewayConfig } from "../gateway-config.js";
import { catalogOf, clusterFleet } from "../testing/fixtures.js";
import { planFleet, type FleetPlanInput } from "./plan.js";

const specs: { file: string; spec: ServerSpecInput }[] = [
  {
    file: "servers/search.ts",
    spec: {
      name: "search",
      description: "Search",
      owner: "platform",
      transport: { type: "stdio", command: "node", args: ["search.js"] },
      port: 3201,
      replicas: 2,
      instances: 2,
      balancing: "round-robin",
      healthCheck: { method: "server/discover" },
      breaker: { failureThreshold: 3 },
      fallback: { lookup: ["backup"] },
      canary: { weight: 10, version: "2.0.0-rc.1", args: ["search.js", "--v2"], replicas: 1 },
    },
  },
  { file: "servers/backup.ts", spec: { name: "backup", description: "Backup search", owner: "platform", transport: { type: "stdio", command: "node", args: ["backup.js"] }, port: 3202 } },
];
const catalog = catalogOf(specs);
const input = (gateway: FleetPlanInput["gateway"] = {}): FleetPlanInput => ({ fleet: clusterFleet(catalog, "tools"), gatewayImage: "ghcr.io/acme/gateway:1.0.0", gateway });
const plan = planFleet(input());
const search = plan.servers.find((s) => s.server.spec.name === "search")!.objects;
const gatewayConfig = parse(plan.gateway.configMap.data!["gateway.yaml"]!) as { servers: Record<string, unknown>[]; tracing?: unknown };

describe("resilience in the rendered fleet", () => {
  it("renders a headless Service over the stable pods, and points the gateway at it with DNS discovery", () => {
    expect(search.headlessService).toMatchObject({ metadata: { name: "mcp-search-headless" }, spec: { clusterIP: "None", publishNotReadyAddresses: false, selector: search.selector } });
    expect(search.headlessService!.metadata!.labels!["app.kubernetes.io/instance"]).toBe("mcp-search-headless");
    expect(gatewayConfig.servers.find((s) => s.name === "search")).toMatchObject({ url: "http://mcp-search-headless.tools.svc.cluster.local:3201/mcp", dns: {} });
  });

  it("renders the canary's Deployment, Service, NetworkPolicy and adapter config, and splits in the gateway by its weight", () => {
    const canary = search.canary!;
    expect(canary.deployment.metadata!.name).toBe("mcp-search-canary");
    expect(canary.deployment.metadata!.labels).toMatchObject({ "mcp-fleet.dev/track": "canary", "app.kubernetes.io/version": "2.0.0-rc.1", "app.kubernetes.io/instance": "mcp-search-canary" });
    expect(canary.deployment.spec!.replicas).toBe(1);
    expect(canary.deployment.spec!.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "search", "app.kubernetes.io/instance": "mcp-search-canary" });
    expect(canary.service.spec!.selector).toEqual(canary.deployment.spec!.selector.matchLabels);
    // The stable Services do not select canary pods, nor the canary's Service stable ones.
    expect(search.service.spec!.selector!["app.kubernetes.io/instance"]).toBe("mcp-search");
    expect(canary.networkPolicy.spec!.podSelector!.matchLabels).toEqual(canary.service.spec!.selector);
    const adapter = parse(canary.configMap!.data!["gateway.yaml"]!) as { servers: { args: string[]; canary?: unknown }[] };
    expect(adapter.servers[0]!.args).toEqual(["search.js", "--v2"]);
    expect(adapter.servers[0]!.canary).toBeUndefined();
    // The canary's adapter takes the same key as the stable one (the central gateway sends one per server), from the same Secret.
    expect((parse(canary.configMap!.data!["gateway.yaml"]!) as { auth: unknown }).auth).toEqual({ mode: "apiKey", apiKeysFromEnv: "MCP_FLEET_API_KEYS" });
    expect(canary.deployment.spec!.template.spec!.containers[0]!.env).toContainEqual({ name: "MCP_FLEET_API_KEYS", valueFrom: { secretKeyRef: { name: "mcp-search-session", key: "MCP_FLEET_API_KEYS" } } });
    expect(canary.deployment.spec!.template.spec!.volumes!.find((v) => v.name === "config")?.configMap?.name).toBe("mcp-search-canary-config");
    expect(gatewayConfig.servers.find((s) => s.name === "search")!.canary).toEqual({ weight: 10, version: "2.0.0-rc.1", url: "http://mcp-search-canary.tools.svc.cluster.local:3201/mcp" });
  });

  it("rolls every Deployment without taking a pod down first", () => {
    const deployments = [plan.gateway.deployment, ...plan.servers.flatMap((s) => [s.objects.deployment, ...(s.objects.canary ? [s.objects.canary.deployment] : [])])];
    expect(deployments.map((d) => d.spec!.strategy)).toEqual(deployments.map(() => ({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } })));
  });

  it("carries the spec's balancing, health check, breaker, fallback and instances to the gateways", () => {
    expect(gatewayConfig.servers.find((s) => s.name === "search")).toMatchObject({
      balancing: "round-robin",
      healthCheck: { kind: "server/discover", intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3 },
      breaker: { failureThreshold: 3 },
      fallback: { lookup: ["backup"] },
    });
    const local = localGatewayConfig(catalog, { env: {}, path: process.env.PATH ?? "" });
    expect(local.servers.find((s) => s.name === "search")).toMatchObject({ instances: 2, canary: { weight: 10, version: "2.0.0-rc.1", args: ["search.js", "--v2"] } });
    expect(local.servers.find((s) => s.name === "backup")).not.toHaveProperty("instances");
  });

  it("rolls the gateway's pods on a config change by default, and not with hot reload (the gateway reloads the ConfigMap)", () => {
    expect(plan.gateway.deployment.spec!.template.metadata!.annotations).toHaveProperty(["mcp-fleet.dev/config-checksum"]);
    const hot = planFleet(input({ hotReload: true }));
    expect(hot.gateway.deployment.spec!.template.metadata!.annotations ?? {}).not.toHaveProperty(["mcp-fleet.dev/config-checksum"]);
  });

  it("renders the collector endpoint into the gateway's config", () => {
    expect(gatewayConfig.tracing).toBeUndefined();
    const traced = planFleet(input({ tracing: { endpoint: "http://otel-collector.observability:4318/v1/traces" } }));
    expect((parse(traced.gateway.configMap.data!["gateway.yaml"]!) as { tracing: unknown }).tracing).toEqual({ endpoint: "http://otel-collector.observability:4318/v1/traces" });
  });

  it("passes every policy of the pack", async () => {
    const found = await checkAll(policies, planRecords(plan));
    expect(found.map((v) => `${v.policyName}: ${v.detail}`)).toEqual([]);
  });
});
