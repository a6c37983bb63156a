import { describe, expect, it } from "vitest";
import { check } from "../test/analyze.js";
import { mutate, serverDeployment, serverService } from "../test/fixtures.js";
import { mcpRequiredLabels as policy } from "./mcp-required-labels.js";

describe("mcp-required-labels", () => {
  it("passes objects and pod templates with name, part-of and owner", async () => {
    expect(await check(policy, serverDeployment())).toEqual([]);
    expect(await check(policy, serverService())).toEqual([]);
  });

  it("reports a missing owner label", async () => {
    const s = mutate(serverService(), (i) => delete i.metadata.labels["mcp-fleet.dev/owner"]);
    expect(await check(policy, s)).toEqual(["Service `mcp-memory` must carry the label `mcp-fleet.dev/owner`. Add it to `metadata.labels`."]);
  });

  it("reports labels missing from the pod template only", async () => {
    const d = mutate(serverDeployment(), (i) => (i.spec.template.metadata.labels = { "app.kubernetes.io/instance": "mcp-memory" }));
    expect(await check(policy, d)).toEqual([
      "The pod template of Deployment `mcp-memory` must carry the labels `app.kubernetes.io/name`, `app.kubernetes.io/part-of`, `mcp-fleet.dev/owner`. Add them to the template's `metadata.labels`.",
    ]);
  });

  it("takes the label keys from the pack config", async () => {
    expect(await check(policy, serverService(), { "mcp-required-labels": { labels: ["team"] } })).toEqual([
      "Service `mcp-memory` must carry the label `team`. Add it to `metadata.labels`.",
    ]);
  });
});
