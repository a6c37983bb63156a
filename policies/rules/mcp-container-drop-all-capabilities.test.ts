import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerDropAllCapabilities as policy } from "./mcp-container-drop-all-capabilities.js";

describe("mcp-container-drop-all-capabilities", () => {
  it("passes drop: [ALL]", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("accepts adding back NET_BIND_SERVICE only", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
    expect(await check(policy, d)).toEqual([]);
  });

  it("reports a container that drops only some capabilities", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.capabilities.drop = ["NET_RAW"]));
    expect(await check(policy, d)).toEqual(['Container `server` of Deployment `mcp-memory` must drop all capabilities: set `capabilities.drop: ["ALL"]`.']);
  });

  it("reports added capabilities", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.capabilities.add = ["NET_ADMIN", "SYS_PTRACE"]));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must not add capabilities (`NET_ADMIN`, `SYS_PTRACE`). Remove them from `capabilities.add`."]);
  });
});
