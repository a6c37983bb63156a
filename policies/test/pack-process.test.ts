/**
 * The pack as the Pulumi CLI runs it: a child process started by `@pulumi/pulumi`'s policy host, spoken to over
 * the analyzer gRPC protocol (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPackConfig, packConfigFile } from "../harness/config.js";
import { evaluateStack } from "../harness/evaluate.js";
import { createInProcessAnalyzer } from "../harness/in-process.js";
import { startPackProcess, type PackProcess } from "../harness/pack-process.js";
import { policies } from "../policies.js";
import { firstContainer, mutate, serverDeployment, validFleet } from "./fixtures.js";
import { mistakes } from "./mistakes.js";

describe("the pack process (analyzer gRPC)", () => {
  let pack: PackProcess | undefined;

  beforeAll(async () => {
    pack = await startPackProcess({ config: { all: "mandatory", "mcp-image-pinned": { enforcementLevel: "advisory", requireDigest: true } } });
  });
  afterAll(async () => {
    await pack?.close();
  });

  it("reports the pack and every policy in GetAnalyzerInfo", () => {
    expect(pack!.info.name).toBe("mcp-fleet");
    expect(pack!.info.version).toBe("0.1.0");
    expect(pack!.info.policies.map((p) => p.name)).toEqual(policies.map((p) => p.name));
  });

  it("finds a privileged container (mandatory) and a tag without digest (advisory, as configured)", async () => {
    const broken = mutate(serverDeployment(), (i) => (firstContainer(i).securityContext.privileged = true));
    const found = await pack!.analyze(broken);
    expect(found.map((v) => [v.policyName, v.enforcementLevel, v.detail])).toEqual([
      ["mcp-container-not-privileged", "mandatory", "Container `server` of Deployment `mcp-memory` must not be privileged. Remove `privileged: true`."],
      [
        "mcp-image-pinned",
        "advisory",
        "Container `server` of Deployment `mcp-memory` image `ghcr.io/mcp-fleet/gateway:0.1.0` must be pinned by digest in this stack. Use `ghcr.io/mcp-fleet/gateway@sha256:<digest>`.",
      ],
    ]);
  });

  it("runs the stack policies over the whole fleet", async () => {
    const fleet = validFleet().filter((r) => r.name !== "mcp-everything-netpol");
    const found = await pack!.analyzeStack(fleet);
    expect(found.map((v) => [v.policyName, v.enforcementLevel, v.urn])).toEqual([
      ["mcp-network-policy-coverage", "mandatory", "urn:pulumi:check::mcp-fleet::kubernetes:apps/v1:Deployment::mcp-everything-deploy"],
    ]);
  });
});

describe("the pack process and the in-process dispatch agree", () => {
  let pack: PackProcess | undefined;
  // Levels and settings that differ from the policies' defaults, so the config's way into each path shows.
  const config = { ...loadPackConfig(packConfigFile("dev")), "mcp-container-not-privileged": "mandatory" as const, "mcp-port-range": { max: 3101 } };

  beforeAll(async () => {
    pack = await startPackProcess({ config });
  });
  afterAll(async () => {
    await pack?.close();
  });

  it("on every broken fleet of the catalogue, levels and settings included", async () => {
    const inProcess = createInProcessAnalyzer(policies, { config });
    const results = [];
    for (const m of mistakes) {
      const overGrpc = await evaluateStack(pack!, m.resources);
      const local = await evaluateStack(inProcess, m.resources);
      results.push({ mistake: m.mistake, found: overGrpc.violations.length > 0, same: JSON.stringify(overGrpc.violations) === JSON.stringify(local.violations) });
    }
    expect(results.filter((r) => !r.found || !r.same)).toEqual([]);
    const privileged = await evaluateStack(pack!, mistakes.find((m) => m.policy === "mcp-container-not-privileged")!.resources);
    expect(new Set(privileged.violations.map((v) => `${v.policyName}:${v.enforcementLevel}`))).toEqual(
      new Set(["mcp-container-not-privileged:mandatory", "mcp-port-range:advisory"]),
    );
  });
});
