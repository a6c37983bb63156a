import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { dockerContainer, mutate } from "../test/fixtures.js";
import { mcpDockerContainerHardened as policy } from "./mcp-docker-container-hardened.js";

describe("mcp-docker-container-hardened", () => {
  it("passes a read-only, capability-less, non-root container", async () => {
    expect(await check(policy, dockerContainer())).toEqual([]);
  });

  it("reports a writable container", async () => {
    const c = mutate(dockerContainer(), (i) => delete i.readOnly);
    expect(await check(policy, c)).toEqual(["Docker container `mcp-memory` must set `readOnly: true`. Mount a tmpfs where it needs to write."]);
  });

  it("reports capabilities not dropped", async () => {
    const c = mutate(dockerContainer(), (i) => delete i.capabilities);
    expect(await check(policy, c)).toEqual(['Docker container `mcp-memory` must drop all capabilities: set `capabilities: { drops: ["ALL"] }`.']);
  });

  it("reports a privileged container", async () => {
    const c = mutate(dockerContainer(), (i) => (i.privileged = true));
    expect(await check(policy, c)).toEqual(["Docker container `mcp-memory` must not be privileged. Remove `privileged: true`."]);
  });

  it("reports a container running as root", async () => {
    const c = mutate(dockerContainer(), (i) => (i.user = "0:0"));
    expect(await check(policy, c)).toEqual(['Docker container `mcp-memory` must run as a non-root user: set `user` (e.g. "10001:10001").']);
  });
});
