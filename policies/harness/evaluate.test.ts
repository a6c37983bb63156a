import { describe, expect, it } from "vitest";
import { policies } from "../policies.js";
import { createInProcessAnalyzer } from "./in-process.js";
import { evaluateStack, formatViolations } from "./evaluate.js";
import { firstContainer, mutate, validFleet } from "../test/fixtures.js";

describe("evaluateStack + formatViolations", () => {
  it("locates each violation on its resource and prints it like pulumi preview", async () => {
    const fleet = validFleet().map((r) => (r.name === "mcp-memory-deploy" ? mutate(r, (i) => (firstContainer(i).securityContext.privileged = true)) : r));
    const evaluation = await evaluateStack(createInProcessAnalyzer(policies, { config: { all: "mandatory", "mcp-container-not-privileged": "advisory" } }), fleet);
    expect(evaluation).toMatchObject({ resources: fleet.length, mandatory: 0, advisory: 1 });
    expect(formatViolations(evaluation, { name: "mcp-fleet", version: "0.1.0" })).toBe(
      [
        "Policy Violations:",
        "    [advisory]  mcp-fleet v0.1.0  mcp-container-not-privileged (kubernetes:apps/v1:Deployment: mcp-memory-deploy)",
        "    Containers must not be privileged.",
        "    Container `server` of Deployment `mcp-memory` must not be privileged. Remove `privileged: true`.",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for a clean stack", async () => {
    const evaluation = await evaluateStack(createInProcessAnalyzer(policies), validFleet());
    expect(evaluation.violations).toEqual([]);
    expect(formatViolations(evaluation, { name: "mcp-fleet", version: "0.1.0" })).toBe("");
  });
});
