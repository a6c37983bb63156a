/** The gateway's secret names and its keys toward the adapters: pure functions, no mocks. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findRepoRoot } from "../servers/catalog/catalog.js";
import { adapterApiKey, adapterApiKeysJson, adapterKeyEnv, gatewaySecretKeys } from "./gateway-secrets.js";
import { adapterSessionSecret } from "./workload.js";
import { catalogOf, clusterFleet, dockerFleet, mixedSpecs } from "./testing/fixtures.js";

const catalog = catalogOf(mixedSpecs(), findRepoRoot());

describe("gateway secrets", () => {
  it("names one variable per adapter server (a DNS label, so no two servers share one)", () => {
    expect(adapterKeyEnv("sequential-thinking")).toBe("MCP_FLEET_ADAPTER_KEY_SEQUENTIAL_THINKING");
  });

  it("lists the stack's keys and, in a cluster, one per adapter (not for an image server); none on Docker", () => {
    expect(gatewaySecretKeys(clusterFleet(catalog), ["MCP_FLEET_SESSION_SECRET", "MCP_FLEET_API_KEYS"])).toEqual([
      "MCP_FLEET_ADAPTER_KEY_GITHUB",
      "MCP_FLEET_ADAPTER_KEY_LEGACY",
      "MCP_FLEET_API_KEYS",
      "MCP_FLEET_SESSION_SECRET",
    ]);
    expect(gatewaySecretKeys(dockerFleet(catalog), ["MCP_FLEET_SESSION_SECRET"])).toEqual(["MCP_FLEET_SESSION_SECRET"]);
  });

  it("derives a key per server, neither the session secret nor the adapter's session key, and gives the adapter only its hash", () => {
    const key = adapterApiKey("fleet-secret", "github");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(adapterApiKey("fleet-secret", "legacy"));
    expect(key).not.toBe(adapterSessionSecret("fleet-secret", "github"));
    expect(key).not.toContain("fleet-secret");
    expect(key).toBe(adapterApiKey("fleet-secret", "github"));
    const json = adapterApiKeysJson(key);
    expect(JSON.parse(json)).toEqual([
      {
        name: "mcp-fleet-gateway",
        sha256: createHash("sha256").update(key).digest("hex"),
        roles: ["mcp-fleet-gateway"],
      },
    ]);
    expect(json).not.toContain(key);
  });
});
