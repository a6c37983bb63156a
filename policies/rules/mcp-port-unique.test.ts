import { describe, expect, it } from "vitest";
import { checkStack } from "../test/analyze.js";
import { dockerContainer, mutate, serverService, validFleet } from "../test/fixtures.js";
import { mcpPortUnique as policy } from "./mcp-port-unique.js";

describe("mcp-port-unique", () => {
  it("passes a fleet with one port per server (metrics ports may repeat)", async () => {
    expect(await checkStack(policy, validFleet())).toEqual([]);
  });

  it("reports two servers on one port in one namespace", async () => {
    const fleet = [...validFleet(), serverService("github", 3102)];
    expect(await checkStack(policy, fleet)).toEqual([
      "Service `mcp-memory` and Service `mcp-github` in namespace `mcp` both use port 3102. Give each server its own port (`port` in servers/<name>.ts).",
    ]);
  });

  it("allows the same port in different namespaces", async () => {
    const other = mutate(serverService("github", 3102), (i) => (i.metadata.namespace = "team-b"));
    expect(await checkStack(policy, [...validFleet(), other])).toEqual([]);
  });

  it("reports two containers on one Docker network", async () => {
    const a = mutate(dockerContainer("memory"), (i) => (i.ports = [{ internal: 3102 }]));
    const b = mutate(dockerContainer("github"), (i) => (i.ports = [{ internal: 3102 }]));
    expect(await checkStack(policy, [a, b])).toEqual([
      "Docker container `mcp-memory` and Docker container `mcp-github` on Docker network `mcp-fleet` both use port 3102. Give each server its own port (`port` in servers/<name>.ts).",
    ]);
  });

  it("reports two containers publishing one host port", async () => {
    const a = mutate(dockerContainer("memory"), (i) => (i.ports = [{ internal: 3102, external: 8080 }]));
    const b = dockerContainer("gateway", 8080, true);
    expect(await checkStack(policy, [a, b])).toEqual([
      "Docker container `mcp-memory` and Docker container `mcp-gateway` on the host both use port 8080. Give each server its own port (`port` in servers/<name>.ts).",
    ]);
  });
});
