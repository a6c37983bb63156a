import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { dockerContainer, mutate, serverDeployment, serverService } from "../test/fixtures.js";
import { mcpResourceNames as policy } from "./mcp-resource-names.js";

describe("mcp-resource-names", () => {
  it("passes prefixed DNS-1123 names", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, dockerContainer())).toEqual([]);
  });

  it("reports a name without the fleet prefix", async () => {
    const s = mutate(serverService(), (i) => (i.metadata.name = "memory"));
    expect(await check(policy, s)).toEqual(["Service `memory` name must start with the fleet prefix `mcp-`. Rename it `mcp-memory`."]);
  });

  it("reports a name that is not DNS-1123", async () => {
    const d = mutate(serverDeployment(), (i) => (i.metadata.name = "mcp-Billing_Tools"));
    expect(await check(policy, d)).toEqual([
      "Deployment `mcp-Billing_Tools` name must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters). Rename it, e.g. `mcp-billing-tools`.",
    ]);
  });

  it("checks the Pulumi name when the object is auto-named", async () => {
    const d = mutate(serverDeployment(), (i) => delete i.metadata.name);
    d.name = "memory-deployment";
    expect(await check(policy, d)).toEqual(["Deployment `memory-deployment` name must start with the fleet prefix `mcp-`. Rename it `mcp-memory-deployment`."]);
  });

  it("exempts Namespaces from the prefix and uses the configured prefix", async () => {
    const ns = { type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "agents" } } };
    expect(await check(policy, ns)).toEqual([]);
    expect(await check(policy, serverDeployment(), { "mcp-resource-names": { prefix: "tools" } })).toEqual([
      "Deployment `mcp-memory` name must start with the fleet prefix `tools-`. Rename it `tools-mcp-memory`.",
    ]);
  });
});
