import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, gatewayService, mutate, serverDeployment, serverService } from "../test/fixtures.js";
import { mcpNamedPorts as policy } from "./mcp-named-ports.js";

describe("mcp-named-ports", () => {
  it("passes ports named mcp and metrics", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, serverService())).toEqual([]);
    expect(await check(policy, gatewayService())).toEqual([]);
  });

  it("reports an unnamed container port, and a server without an mcp port", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).ports[0].name);
    expect(await check(policy, d)).toEqual([
      "Container `server` of Deployment `mcp-memory` port 3102 must be named `mcp` or `metrics`.",
      "Deployment `mcp-memory` runs an MCP server but no container port is named `mcp`. Name its MCP port `mcp`.",
    ]);
  });

  it("reports a Service port with another name", async () => {
    const s = mutate(serverService(), (i) => (i.spec.ports[0].name = "http"));
    expect(await check(policy, s)).toEqual([
      "Service `mcp-memory` port 3102 is named `http`; name it `mcp` or `metrics`.",
      "Service `mcp-memory` serves an MCP server but has no port named `mcp`. Name its MCP port `mcp`.",
    ]);
  });

  it("takes the allowed names from the pack config", async () => {
    const s = mutate(gatewayService(), (i) => (i.spec.ports[0].name = "http"));
    expect(await check(policy, s, { "mcp-named-ports": { names: ["mcp", "metrics", "http"] } })).toEqual([]);
  });
});
