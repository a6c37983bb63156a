/**
 * A spec's `canary` in the Docker dev stack, as in Kubernetes' second Deployment: `DockerFleet` under Pulumi mocks
 * creates a canary container beside the stable one (its name and alias, `track: canary` and version labels, its
 * image, its args: in its own adapter config for a stdio server, as the entrypoint's arguments for an image server,
 * the same hardening and secrets), and the gateway's config points the server's canary at it with its weight.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type * as DockerFleetModule from "./docker-fleet.js";
import type { ServerSpecInput } from "../../servers/catalog/spec.js";
import { catalogOf, dockerFleet } from "../testing/fixtures.js";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const registered: Registered[] = [];
let dockerMod: typeof DockerFleetModule;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: { ...args.inputs, repoDigest: "sha256:0" } };
      },
      call: (args) => args.inputs,
    },
    "mcp-fleet",
    "test",
    false,
  );
  dockerMod = await import("./docker-fleet.js");
});

const specs: { file: string; spec: ServerSpecInput }[] = [
  {
    file: "servers/search.ts",
    spec: {
      name: "search",
      description: "Search",
      owner: "platform",
      transport: { type: "stdio", command: "node", args: ["search.js"] },
      port: 3201,
      secrets: ["SEARCH_TOKEN"],
      canary: { weight: 10, version: "2.0.0-rc.1", args: ["search.js", "--v2"] },
    },
  },
  {
    file: "servers/maps.ts",
    spec: { name: "maps", description: "Maps", owner: "platform", transport: { type: "image", image: "ghcr.io/acme/maps:1.0.0" }, port: 3202, canary: { weight: 25, version: "1.1.0", image: "ghcr.io/acme/maps:1.1.0", args: ["--fast"] } },
  },
  { file: "servers/plain.ts", spec: { name: "plain", description: "No canary", owner: "platform", transport: { type: "stdio", command: "node", args: ["plain.js"] }, port: 3203 } },
];

async function settle(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe("DockerFleet with a canary", () => {
  it("creates the canary's container beside the stable one, and points the gateway's canary at it", async () => {
    const fleet = new dockerMod.DockerFleet("mcp", { fleet: dockerFleet(catalogOf(specs)), imageTag: "dev", sessionSecret: pulumi.secret("x".repeat(32)), serverSecrets: { search: { SEARCH_TOKEN: pulumi.secret("t") } } });
    const containers = () => registered.filter((r) => r.type === "docker:index/container:Container");
    await settle(() => containers().length === 6);
    const byName = new Map(containers().map((c) => [c.inputs.name as string, c]));
    expect([...byName.keys()].sort()).toEqual(["mcp-gateway", "mcp-maps", "mcp-maps-canary", "mcp-plain", "mcp-search", "mcp-search-canary"]);
    expect(Object.keys(fleet.containers).sort()).toEqual(["gateway", "maps", "maps-canary", "plain", "search", "search-canary"]);
    expect(fleet.plan.containers.filter((c) => c.track === "canary").map((c) => [c.role, c.server])).toEqual([["maps-canary", "maps"], ["search-canary", "search"]]);

    const labels = (name: string) => Object.fromEntries((byName.get(name)!.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    expect(labels("mcp-search-canary")).toMatchObject({ "mcp-fleet.dev/track": "canary", "app.kubernetes.io/version": "2.0.0-rc.1", "app.kubernetes.io/instance": "mcp-search-canary" });
    expect(labels("mcp-search")["mcp-fleet.dev/track"]).toBeUndefined();

    // stdio: the gateway image as its adapter, the canary's args in its own adapter config; its secrets as the stable one's.
    const searchCanary = byName.get("mcp-search-canary")!.inputs;
    const stable = byName.get("mcp-search")!.inputs;
    expect(searchCanary.networksAdvanced).toEqual([{ name: "mcp-fleet", aliases: ["mcp-search-canary"] }]);
    expect([searchCanary.image, searchCanary.entrypoints]).toEqual([stable.image, stable.entrypoints]);
    const adapter = parse(searchCanary.uploads[0].content as string) as { servers: { args: string[]; canary?: unknown }[] };
    expect(adapter.servers[0]!.args).toEqual(["search.js", "--v2"]);
    expect(adapter.servers[0]!.canary).toBeUndefined();
    expect((parse(stable.uploads[0].content as string) as { servers: { args: string[] }[] }).servers[0]!.args).toEqual(["search.js"]);
    expect(JSON.stringify(searchCanary.envs)).toContain("SEARCH_TOKEN=t");
    expect(fleet.plan.containers.find((c) => c.role === "search-canary")).toMatchObject({ secretEnv: ["SEARCH_TOKEN", "MCP_FLEET_SESSION_SECRET"], sessionKey: "adapter" });
    for (const key of ["readOnly", "capabilities", "user", "securityOpts", "tmpfs", "memory"]) expect([key, searchCanary[key]]).toEqual([key, stable[key]]);

    // image: the canary's image, its args as the entrypoint's arguments (Docker's command), no adapter config.
    const mapsCanary = byName.get("mcp-maps-canary")!.inputs;
    expect([mapsCanary.image, mapsCanary.command, mapsCanary.entrypoints, mapsCanary.uploads]).toEqual(["ghcr.io/acme/maps:1.1.0", ["--fast"], undefined, []]);

    // The gateway splits each server with its canary's container by weight.
    const config = parse(byName.get("mcp-gateway")!.inputs.uploads[0].content as string) as { servers: { name: string; canary?: Record<string, unknown> }[] };
    expect(Object.fromEntries(config.servers.map((s) => [s.name, s.canary]))).toEqual({
      search: { weight: 10, version: "2.0.0-rc.1", url: "http://mcp-search-canary:3201/mcp" },
      maps: { weight: 25, version: "1.1.0", url: "http://mcp-maps-canary:3202/mcp" },
      plain: undefined,
    });
  });
});
