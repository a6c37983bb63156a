import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerNotPrivileged as policy } from "./mcp-container-not-privileged.js";

describe("mcp-container-not-privileged", () => {
  it("passes an unprivileged container", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports a privileged container", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.privileged = true));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must not be privileged. Remove `privileged: true`."]);
  });
});
