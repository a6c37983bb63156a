import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerResources as policy } from "./mcp-container-resources.js";

describe("mcp-container-resources", () => {
  it("passes requests and limits for CPU and memory", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports a missing memory limit", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).resources.limits.memory);
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `resources.limits.memory`. Set them in the server spec's `resources`."]);
  });

  it("reports every missing field of a container without resources", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).resources);
    expect(await check(policy, d)).toEqual([
      "Container `server` of Deployment `mcp-memory` must set `resources.requests.cpu`, `resources.requests.memory`, `resources.limits.cpu`, `resources.limits.memory`. Set them in the server spec's `resources`.",
    ]);
  });
});
