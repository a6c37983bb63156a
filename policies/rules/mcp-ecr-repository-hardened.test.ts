import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { ecrRepository, mutate } from "../test/fixtures.js";
import { mcpEcrRepositoryHardened as policy } from "./mcp-ecr-repository-hardened.js";

describe("mcp-ecr-repository-hardened", () => {
  it("passes scan-on-push and immutable tags", async () => {
    expect(await check(policy, ecrRepository())).toEqual([]);
  });

  it("reports scanning off", async () => {
    const r = mutate(ecrRepository(), (i) => (i.imageScanningConfiguration.scanOnPush = false));
    expect(await check(policy, r)).toEqual(["ECR repository `mcp-hello` must scan images on push: set `imageScanningConfiguration: { scanOnPush: true }`."]);
  });

  it("reports mutable tags (the AWS default)", async () => {
    const r = mutate(ecrRepository(), (i) => delete i.imageTagMutability);
    expect(await check(policy, r)).toEqual(['ECR repository `mcp-hello` must have immutable tags: set `imageTagMutability: "IMMUTABLE"`.']);
  });
});
