import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpPodSeccompRuntimeDefault as policy } from "./mcp-pod-seccomp-runtime-default.js";

const MESSAGE = "Container `server` of Deployment `mcp-memory` must use the RuntimeDefault seccomp profile: set `seccompProfile.type: RuntimeDefault` on the pod or the container.";

describe("mcp-pod-seccomp-runtime-default", () => {
  it("passes RuntimeDefault on the pod", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("accepts RuntimeDefault on the container", async () => {
    const d = mutate(serverDeployment(), (i) => {
      delete i.spec.template.spec.securityContext.seccompProfile;
      firstContainer(i).securityContext.seccompProfile = { type: "RuntimeDefault" };
    });
    expect(await check(policy, d)).toEqual([]);
  });

  it("reports a pod and container without a seccomp profile", async () => {
    const d = mutate(serverDeployment(), (i) => {
      delete i.spec.template.spec.securityContext.seccompProfile;
      delete firstContainer(i).securityContext.seccompProfile;
    });
    expect(await check(policy, d)).toEqual([MESSAGE]);
  });

  it("reports a container that opts out with Unconfined", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.seccompProfile = { type: "Unconfined" }));
    expect(await check(policy, d)).toEqual([MESSAGE]);
  });
});
