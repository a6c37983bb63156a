import { describe, expect, it } from "vitest";
import { policies } from "../policies.js";
import { checkAll } from "./analyze.js";
import { dockerContainer, ecrRepository, irsaRole, secretsManagerSecret, validFleet } from "./fixtures.js";

describe("the valid fixtures", () => {
  it("pass every policy of the pack", async () => {
    const resources = [...validFleet(), dockerContainer("memory"), dockerContainer("gateway", 8080, true), ecrRepository(), secretsManagerSecret(), irsaRole()];
    const found = await checkAll(policies, resources);
    expect(found.map((v) => `${v.policyName}: ${v.detail}`)).toEqual([]);
  });
});
