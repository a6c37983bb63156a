import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { mutate, serverDeployment } from "../test/fixtures.js";
import { mcpPodHostIsolation as policy } from "./mcp-pod-host-isolation.js";

describe("mcp-pod-host-isolation", () => {
  it("passes a pod in its own namespaces with an emptyDir", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it.each(["hostNetwork", "hostPID", "hostIPC"])("reports %s: true", async (field) => {
    const d = mutate(serverDeployment(), (i) => (i.spec.template.spec[field] = true));
    expect(await check(policy, d)).toEqual([`Deployment \`mcp-memory\` must not set \`${field}: true\`. Remove it.`]);
  });

  it("reports a hostPath volume", async () => {
    const d = mutate(serverDeployment(), (i) => i.spec.template.spec.volumes.push({ name: "docker-sock", hostPath: { path: "/var/run/docker.sock" } }));
    expect(await check(policy, d)).toEqual(["Deployment `mcp-memory` must not mount a host path (volume `docker-sock`). Use an emptyDir, a ConfigMap or a PersistentVolumeClaim."]);
  });
});
