import { describe, expect, it } from "vitest";
import { analyzeOne, check } from "../test/analyze.js";
import { dockerContainer, firstContainer, mutate, serverDeployment } from "../test/fixtures.js";
import { mcpImagePinned as policy } from "./mcp-image-pinned.js";

const DIGEST = "sha256:" + "a".repeat(64);

describe("mcp-image-pinned", () => {
  it("passes a version tag", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
  });

  it("reports :latest", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).image = "ghcr.io/acme/github-mcp:latest"));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` image `ghcr.io/acme/github-mcp:latest` uses `:latest`. Pin it to a version tag or a digest."]);
  });

  it("reports an untagged image (a registry port is not a tag)", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).image = "registry.local:5000/acme/github-mcp"));
    expect(await check(policy, d)).toEqual(["Container `server` of Deployment `mcp-memory` image `registry.local:5000/acme/github-mcp` has no tag. Pin it to a version tag or a digest."]);
  });

  it("requires a digest where the stack's config says so", async () => {
    const config = { "mcp-image-pinned": { requireDigest: true } };
    expect(await check(policy, serverDeployment(), config)).toEqual([
      "Container `server` of Deployment `mcp-memory` image `ghcr.io/mcp-fleet/gateway:0.1.0` must be pinned by digest in this stack. Use `ghcr.io/mcp-fleet/gateway@sha256:<digest>`.",
    ]);
    const pinned = mutate(serverDeployment(), (i) => (firstContainer(i).image = `ghcr.io/mcp-fleet/gateway:0.1.0@${DIGEST}`));
    expect(await check(policy, pinned, config)).toEqual([]);
  });

  it("checks Docker containers", async () => {
    const c = mutate(dockerContainer(), (i) => (i.image = "mcp-fleet/gateway"));
    expect(await check(policy, c)).toEqual(["Docker container `mcp-memory` image `mcp-fleet/gateway` has no tag. Pin it to a version tag or a digest."]);
  });

  it("reports at the level the pack config sets (advisory in dev)", async () => {
    const d = mutate(serverDeployment(), (i) => (firstContainer(i).image = "nginx:latest"));
    const [violation] = await analyzeOne(policy, d, { all: "advisory" });
    expect(violation?.enforcementLevel).toBe("advisory");
    expect(violation?.message).toBe(
      "Container images must be pinned to a version tag or a digest.\nContainer `server` of Deployment `mcp-memory` image `nginx:latest` uses `:latest`. Pin it to a version tag or a digest.",
    );
    expect(await analyzeOne(policy, d, { "mcp-image-pinned": "disabled" })).toEqual([]);
  });
});
