import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerProbes as policy } from "./mcp-container-probes.js";

describe("mcp-container-probes", () => {
  it("passes liveness and readiness probes", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports a missing readiness probe", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).readinessProbe);
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `readinessProbe`."]);
  });

  it("reports both probes missing", async () => {
    const d = mutate(serverDeployment(), (i) => {
      delete firstContainer(i).readinessProbe;
      delete firstContainer(i).livenessProbe;
    });
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `livenessProbe` and `readinessProbe`."]);
  });

  it("does not ask init containers for probes", async () => {
    const d = mutate(serverDeployment(), (i) => (i.spec.template.spec.initContainers = [{ name: "init", image: "busybox:1.36" }]));
    expect(await check(policy, d)).toEqual([]);
  });
});
