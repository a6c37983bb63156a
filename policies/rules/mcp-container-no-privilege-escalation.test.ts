import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerNoPrivilegeEscalation as policy } from "./mcp-container-no-privilege-escalation.js";

describe("mcp-container-no-privilege-escalation", () => {
  it("passes allowPrivilegeEscalation: false", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports allowPrivilegeEscalation left unset (Kubernetes defaults it to true)", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).securityContext.allowPrivilegeEscalation);
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `allowPrivilegeEscalation: false`."]);
  });

  it("reports allowPrivilegeEscalation: true", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.allowPrivilegeEscalation = true));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `allowPrivilegeEscalation: false`."]);
  });
});
