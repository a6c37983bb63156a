/**
 * Each realistic mistake of the catalogue (test/mistakes.ts) is caught by the right policy, and only by it, at the
 * level the prod pack config sets.
 */
import { describe, expect, it } from "vitest";
import { loadPackConfig, packConfigFile } from "../harness/config.js";
import { policies } from "../policies.js";
import { checkAll } from "./analyze.js";
import { fleet, mistakes } from "./mistakes.js";

const prod = loadPackConfig(packConfigFile("prod"));
const dev = loadPackConfig(packConfigFile("dev"));

describe("broken fleets: each realistic mistake is caught by the right policy", () => {
  it("has at least 20 mistakes, and the unbroken fleet passes", async () => {
    expect(mistakes.length).toBeGreaterThanOrEqual(20);
    expect(await checkAll(policies, fleet(), prod)).toEqual([]);
  });

  it.each(mistakes.map((m) => [m.mistake, m] as const))("%s", async (_name, m) => {
    const found = await checkAll(policies, m.resources, prod);
    expect([...new Set(found.map((v) => v.policyName))]).toEqual([m.policy]);
    expect(found.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
    expect(found.map((v) => v.detail).join("\n")).toContain(m.says);
  });

  it("reports the same mistakes as advisory with the dev config (TLS not required there)", async () => {
    const privileged = await checkAll(policies, mistakes[4]!.resources, dev);
    expect(privileged.map((v) => [v.policyName, v.enforcementLevel])).toEqual([["mcp-container-not-privileged", "advisory"]]);
    expect(await checkAll(policies, mistakes.find((m) => m.policy === "mcp-ingress-tls")!.resources, dev)).toEqual([]);
  });
});
