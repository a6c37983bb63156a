/**
 * The package's components under Pulumi mocks: each creates exactly what the repository's component of the same
 * name creates from the same servers (same resources, same inputs), and refuses bad arguments with the catalog's
 * messages before creating anything.
 */
import { describe, expect, it } from "vitest";
import { Fleet as RepoFleet } from "../components/fleet/fleet.js";
import { McpServer as RepoMcpServer } from "../components/k8s/mcp-server.js";
import { runUnderMocks, type RegisteredResource } from "../components/plan/run-under-mocks.js";
import { KNOWN_SECRET, mixedSpecs } from "../components/testing/fixtures.js";
import { workloadOf } from "../components/workload.js";
import { fleetModel } from "../servers/catalog/derive.js";
import { catalogOf, type Server } from "./args.js";
import { Fleet, McpServer } from "./components.js";

const GATEWAY_IMAGE = "ghcr.io/acme/mcp-gateway:1.0.0";
const servers = mixedSpecs().map((s) => s.spec as Server);

/** The custom resources, keyed by type and name, with their inputs (the component layers above them removed). */
function customResources(resources: readonly RegisteredResource[]): Record<string, unknown> {
  return Object.fromEntries(resources.filter((r) => r.custom).map((r) => [`${r.type} ${r.name}`, r.inputs]));
}

describe("the package's McpServer", () => {
  it("creates what the repository's McpServer creates for the same server, under mcp-fleet:index:McpServer", async () => {
    const server = servers[0]!;
    const pkg = await runUnderMocks({ program: () => void new McpServer("github", { server, namespace: "mcp", gatewayImage: GATEWAY_IMAGE, secretValues: { GITHUB_TOKEN: KNOWN_SECRET } }) });
    const fleet = fleetModel(catalogOf("test", [server], "/nonexistent"), { network: { kind: "cluster", namespace: "mcp" } });
    const repo = await runUnderMocks({
      program: () =>
        void new RepoMcpServer("github", {
          fleet,
          server: fleet.servers[0]!,
          workload: workloadOf(fleet.servers[0]!, { gatewayImage: GATEWAY_IMAGE, builtImage: () => GATEWAY_IMAGE }),
          secretValues: { GITHUB_TOKEN: KNOWN_SECRET },
        }),
    });
    expect(Object.keys(customResources(pkg.resources)).length).toBeGreaterThanOrEqual(5);
    expect(customResources(pkg.resources)).toEqual(customResources(repo.resources));
    expect(pkg.resources.filter((r) => !r.custom).map((r) => r.type)).toEqual(["pulumi:pulumi:Stack", "mcp-fleet:index:McpServer", "mcp-fleet:k8s:McpServer"]);
    expect(JSON.stringify(pkg.resources)).not.toContain(KNOWN_SECRET);
  });

  it("refuses an invalid server with the catalog's messages", async () => {
    const bad = { ...servers[0]!, port: 80, transport: { type: "stdio" as const } };
    await expect(runUnderMocks({ program: () => void new McpServer("github", { server: bad, namespace: "mcp", gatewayImage: GATEWAY_IMAGE }) })).rejects.toThrow(
      'McpServer "github" has invalid arguments:\n  - servers[0]/github: `transport.command` is missing. Add it: set the executable to run, e.g. "node".\n  - servers[0]/github: `port` 80 must be at least 1024 (unprivileged). Pick a free port between 1024 and 65535, e.g. 3106.',
    );
  });
});

describe("the package's Fleet", () => {
  it("creates what the repository's Fleet creates for the same servers", async () => {
    const secrets = { MCP_FLEET_SESSION_SECRET: KNOWN_SECRET };
    const pkg = await runUnderMocks({ program: () => void new Fleet("prod", { servers, namespace: "mcp", gatewayImage: GATEWAY_IMAGE, gatewaySecrets: secrets }) });
    const fleet = fleetModel(catalogOf("test", servers, "/nonexistent"), { network: { kind: "cluster", namespace: "mcp" } });
    const repo = await runUnderMocks({ program: () => void new RepoFleet("prod", { fleet, gatewayImage: GATEWAY_IMAGE, gatewaySecrets: secrets }) });
    expect(Object.keys(customResources(pkg.resources)).length).toBeGreaterThan(15);
    expect(customResources(pkg.resources)).toEqual(customResources(repo.resources));
  });

  it("refuses two servers on one port, naming both", async () => {
    const clash = [servers[0]!, { ...servers[2]!, port: servers[0]!.port }];
    await expect(runUnderMocks({ program: () => void new Fleet("prod", { servers: clash, namespace: "mcp", gatewayImage: GATEWAY_IMAGE, gatewaySecrets: {} }) })).rejects.toThrow(
      `Fleet "prod" has invalid arguments:\n  - servers[1]/legacy: \`port\` 3201 is already used by servers[0]/github. Pick another port, e.g. 3101 (the next free one).`,
    );
  });
});
