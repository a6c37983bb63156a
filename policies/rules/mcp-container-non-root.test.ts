import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, gatewayDeployment, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpContainerNonRoot as policy } from "./mcp-container-non-root.js";

describe("mcp-container-non-root", () => {
  it("passes a server and the gateway that run as non-root", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, gatewayDeployment())).toEqual([]);
  });

  it("accepts runAsNonRoot set on the pod only", async () => {
    const d = mutate(serverDeployment(), (i) => delete firstContainer(i).securityContext.runAsNonRoot);
    expect(await check(policy, d)).toEqual([]);
  });

  it("reports a container with runAsNonRoot neither on the container nor on the pod", async () => {
    const d = mutate(serverDeployment(), (i) => {
      delete firstContainer(i).securityContext.runAsNonRoot;
      delete i.spec.template.spec.securityContext.runAsNonRoot;
    });
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must set `runAsNonRoot: true` (on the container or the pod)."]);
  });

  it("reports a container running as UID 0", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.runAsUser = 0));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` must not run as user 0. Set `runAsUser` to a non-zero UID (e.g. 10001)."]);
  });

  it("checks init containers too", async () => {
    const d = mutate(serverDeployment(), (i) => {
      i.spec.template.spec.initContainers = [{ name: "init", image: "busybox:1.36", securityContext: { runAsUser: 0 } }];
    });
    expect(await check(policy, d)).toEqual(["Init container `init` of Deployment `mcp-memory` must not run as user 0. Set `runAsUser` to a non-zero UID (e.g. 10001)."]);
  });
});
