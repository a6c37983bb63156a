import { describe, expect, it } from "vitest";
import { checkStack } from "../test/analyze.js";
import { mutate, validFleet } from "../test/fixtures.js";
import { mcpNetworkPolicyCoverage as policy } from "./mcp-network-policy-coverage.js";

const MESSAGE =
  "Deployment `mcp-memory` in namespace `mcp` is not selected by any NetworkPolicy that limits ingress to it. Add one whose `podSelector` matches its pod labels and allows only the gateway (McpServer creates it).";

describe("mcp-network-policy-coverage", () => {
  it("passes a fleet where every server has its NetworkPolicy", async () => {
    expect(await checkStack(policy, validFleet())).toEqual([]);
  });

  it("reports a server without its NetworkPolicy, even under a default deny", async () => {
    const fleet = validFleet().filter((r) => r.name !== "mcp-memory-netpol");
    expect(await checkStack(policy, fleet)).toEqual([MESSAGE]);
  });

  it("reports a NetworkPolicy in another namespace", async () => {
    const fleet = validFleet().map((r) => (r.name === "mcp-memory-netpol" ? mutate(r, (i) => (i.metadata.namespace = "default")) : r));
    expect(await checkStack(policy, fleet)).toEqual([MESSAGE]);
  });

  it("reports a NetworkPolicy that only governs egress", async () => {
    const fleet = validFleet().map((r) => (r.name === "mcp-memory-netpol" ? mutate(r, (i) => (i.spec.policyTypes = ["Egress"])) : r));
    expect(await checkStack(policy, fleet)).toEqual([MESSAGE]);
  });
});
