import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerReadOnlyRootFs as policy } from "./mcp-container-read-only-root-fs.js";

describe("mcp-container-read-only-root-fs", () => {
  it("passes a read-only root filesystem", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports a writable root filesystem", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.readOnlyRootFilesystem = false));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `readOnlyRootFilesystem: true`. Mount an emptyDir where it needs to write."]);
  });

  it("reports a container without a securityContext", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).securityContext);
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `readOnlyRootFilesystem: true`. Mount an emptyDir where it needs to write."]);
  });
});
