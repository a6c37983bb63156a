import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { dockerContainer, firstContainer, mutate, serverDeployment, serverService } from "../test/fixtures.js";
import { mcpPortRange as policy } from "./mcp-port-range.js";

describe("mcp-port-range", () => {
  it("passes ports inside 1024-65535", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, serverService())).toEqual([]);
  });

  it("reports a privileged container port", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).ports[0].containerPort = 80));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` port `mcp` (80) is outside 1024-65535. Use a port in that range."]);
  });

  it("reports a Service port and a numeric target port", async () => {
    const s = mutate(serverService(), (i) => {
      i.spec.ports[0].port = 443;
      i.spec.ports[0].targetPort = 80;
    });
    expect(await check(policy, s)).toEqual([
      "Service `mcp-memory` port `mcp` (443) is outside 1024-65535. Use a port in that range.",
      "Service `mcp-memory` port `mcp` (443) target port 80 is outside 1024-65535. Use a port in that range.",
    ]);
  });

  it("uses the range from the pack config", async () => {
    const config = { "mcp-port-range": { min: 3200, max: 3999 } };
    expect(await check(policy, serverDeployment(), config)).toEqual(["Container `server` of Deployment `mcp-memory` port `mcp` (3102) is outside 3200-3999. Use a port in that range."]);
  });

  it("checks Docker ports", async () => {
    const c = mutate(dockerContainer(), (i) => (i.ports = [{ internal: 3102, external: 80 }]));
    expect(await check(policy, c)).toEqual(["Docker container `mcp-memory` host port 80 is outside 1024-65535. Use a port in that range."]);
  });
});
