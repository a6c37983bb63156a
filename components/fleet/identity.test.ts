/**
 * An authenticated gateway under Pulumi's mocks: its config says how callers authenticate, its keys reach it as
 * secret references only, its Secret stays secret, and its Ingress is the one public way in.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runUnderMocks, SECRET_MASK, type RegisteredResource } from "../plan/run-under-mocks.js";
import { KNOWN_SECRET, catalogOf, clusterFleet, find, mixedSpecs, type Json } from "../testing/fixtures.js";
import { Fleet } from "./fleet.js";

const HASHES = JSON.stringify([{ name: "ci-bot", sha256: "a".repeat(64), roles: ["engineering"] }]);
const REDIS = "rediss://default:pw@redis.example.com:6380";

let resources: RegisteredResource[];
beforeAll(async () => {
  ({ resources } = await runUnderMocks({
    program: () =>
      void new Fleet("prod", {
        fleet: clusterFleet(catalogOf(mixedSpecs()), "tools"),
        gatewayImage: "ghcr.io/acme/mcp-fleet-gateway:0.3.0",
        gateway: {
          ingress: { host: "mcp.example.com", tls: { issuer: "letsencrypt-prod" } },
          identity: {
            auth: { mode: "oauth", resource: "https://mcp.example.com/mcp", oauth: { issuer: "https://idp.example.com/", rolesClaim: "groups" }, apiKeysFromEnv: "MCP_FLEET_API_KEYS" },
            rateLimits: { store: { type: "redis", urlFromEnv: "MCP_FLEET_REDIS_URL" }, rules: [{ key: "identity", perMinute: 600, burst: 60 }] },
          },
        },
        gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret(KNOWN_SECRET), MCP_FLEET_API_KEYS: pulumi.secret(HASHES), MCP_FLEET_REDIS_URL: pulumi.secret(REDIS) },
      }),
  }));
});

const inputs = (type: string, name: string): Json => find(resources, type, name).inputs;

describe("an authenticated gateway", () => {
  it("renders auth and shared rate limits into its config, naming the variables that hold keys and the Redis URL", () => {
    const config = parse(inputs("kubernetes:core/v1:ConfigMap", "prod-gateway-config").data["gateway.yaml"]);
    expect(config.auth).toEqual({ mode: "oauth", resource: "https://mcp.example.com/mcp", oauth: { issuer: "https://idp.example.com/", rolesClaim: "groups" }, apiKeysFromEnv: "MCP_FLEET_API_KEYS" });
    expect(config.rateLimits).toEqual({ store: { type: "redis", urlFromEnv: "MCP_FLEET_REDIS_URL" }, rules: [{ key: "identity", perMinute: 600, burst: 60 }] });
  });

  it("keeps every key out of the config and the plan: the Secret is masked, the container reads each key by reference", () => {
    expect(inputs("kubernetes:core/v1:Secret", "prod-gateway-secret").stringData).toBe(SECRET_MASK);
    const container = inputs("kubernetes:apps/v1:Deployment", "prod-gateway-deploy").spec.template.spec.containers[0];
    expect(container.env).toEqual(
      // Its keys toward the adapters (github, legacy) too.
      ["MCP_FLEET_ADAPTER_KEY_GITHUB", "MCP_FLEET_ADAPTER_KEY_LEGACY", "MCP_FLEET_API_KEYS", "MCP_FLEET_REDIS_URL", "MCP_FLEET_SESSION_SECRET"].map((name) => ({ name, valueFrom: { secretKeyRef: { name: "mcp-gateway-keys", key: name } } })),
    );
    const everything = JSON.stringify(resources.map((r) => r.inputs));
    expect(everything.includes("a".repeat(64))).toBe(false);
    expect(everything.includes("pw@redis")).toBe(false);
  });

  it("exposes it through its Ingress with TLS", () => {
    const ingress = inputs("kubernetes:networking.k8s.io/v1:Ingress", "prod-gateway-ingress");
    expect(ingress.spec.tls).toEqual([{ hosts: ["mcp.example.com"], secretName: "mcp-gateway-tls" }]);
    expect(ingress.spec.rules[0].http.paths[0]).toMatchObject({ path: "/mcp", backend: { service: { name: "mcp-gateway" } } });
  });
});
