import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { dockerContainer, firstContainer, gatewayDeployment, gatewayIngress, gatewayService, mutate, serverDeployment, serverLabels, serverService } from "../test/fixtures.js";
import { mcpOnlyGatewayExposed as policy } from "./mcp-only-gateway-exposed.js";

describe("mcp-only-gateway-exposed", () => {
  it("passes ClusterIP servers and lets the gateway be exposed", async () => {
    expect(await check(policy, serverService())).toEqual([]);
    expect(await check(policy, mutate(gatewayService(), (i) => (i.spec.type = "LoadBalancer")))).toEqual([]);
    expect(await check(policy, mutate(gatewayDeployment(), (i) => (firstContainer(i).ports[0].hostPort = 8080)))).toEqual([]);
    expect(await check(policy, dockerContainer("gateway", 8080, true))).toEqual([]);
  });

  it.each(["LoadBalancer", "NodePort"])("reports a server Service of type %s", async (type) => {
    const s = mutate(serverService(), (i) => (i.spec.type = type));
    expect(await check(policy, s)).toEqual([`Service \`mcp-memory\` is of type ${type}; only the gateway may be exposed outside the cluster. Use type ClusterIP.`]);
  });

  it("reports a server container with a host port", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).ports[0].hostPort = 3102));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` binds host port 3102; only the gateway may be exposed outside the cluster. Remove `hostPort`."]);
  });

  it("lets any container publish on loopback only", async () => {
    const c = mutate(dockerContainer(), (i) => (i.ports = [{ internal: 3102, external: 3102, ip: "127.0.0.1" }]));
    expect(await check(policy, c)).toEqual([]);
  });

  it("reports a server Docker container publishing a port on every address", async () => {
    const c = mutate(dockerContainer(), (i) => (i.ports = [{ internal: 3102, external: 3102 }]));
    expect(await check(policy, c)).toEqual([
      "Docker container `mcp-memory` publishes port 3102 on the host; only the gateway may be exposed outside the Docker network. Remove it from `ports`.",
    ]);
  });

  it("passes the gateway's Ingress and reports an Ingress of a server", async () => {
    expect(await check(policy, gatewayIngress())).toEqual([]);
    const ing = mutate(gatewayIngress(), (i) => {
      i.metadata.name = "mcp-memory";
      i.metadata.labels = serverLabels("memory");
    });
    expect(await check(policy, ing)).toEqual(["Ingress `mcp-memory` is not the gateway's; only the gateway may be exposed outside the cluster. Reach servers through the gateway's Ingress."]);
  });
});
