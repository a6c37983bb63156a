import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { DockerFleet } from "../../components/docker/docker-fleet.js";
import { Fleet } from "../../components/fleet/fleet.js";
import { runUnderMocks } from "../../components/plan/run-under-mocks.js";
import { fleetModel } from "../../servers/catalog/derive.js";
import { policies } from "../policies.js";
import { checkAll } from "./analyze.js";
import { dockerContainer, ecrRepository, fleetPlanInput, irsaRole, secretsManagerSecret, validFleet } from "./fixtures.js";

describe("the valid fixtures", () => {
  it("pass every policy of the pack", async () => {
    const resources = [...validFleet(), dockerContainer("memory"), dockerContainer("gateway", 8080, true), ecrRepository(), secretsManagerSecret(), irsaRole()];
    const found = await checkAll(policies, resources);
    expect(found.map((v) => `${v.policyName}: ${v.detail}`)).toEqual([]);
  });

  it("are the objects the Fleet component registers (its Secrets aside), type, name and inputs alike", async () => {
    const { resources } = await runUnderMocks({ program: () => void new Fleet("mcp", { ...fleetPlanInput(), gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret("k".repeat(32)) } }) });
    const registered = resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Secret").map(({ type, name, inputs }) => ({ type, name, inputs }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(validFleet().sort(byName)).toEqual(registered.sort(byName));
  });

  it("are the containers the DockerFleet component registers", async () => {
    const { fleet } = fleetPlanInput();
    const { resources } = await runUnderMocks({ program: () => void new DockerFleet("mcp", { fleet: fleetModel({ root: fleet.root, servers: fleet.servers }, { network: { kind: "docker" } }), sessionSecret: pulumi.secret("k".repeat(32)) }) });
    const container = (name: string) => resources.find((r) => r.type === "docker:index/container:Container" && r.name === name)!;
    for (const [fixture, name] of [[dockerContainer("memory"), "mcp-memory"], [dockerContainer("gateway", 8080, true), "mcp-gateway"]] as const) {
      expect({ type: fixture.type, name: fixture.name, inputs: fixture.inputs }).toEqual({ type: container(name).type, name, inputs: container(name).inputs });
    }
  });
});
