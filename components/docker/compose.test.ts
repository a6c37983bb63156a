import { describe, expect, it } from "vitest";
import { fleetModel } from "../../servers/catalog/derive.js";
import { catalogOf, mixedSpecs } from "../testing/fixtures.js";
import { adapterSessionVariable, composeExport } from "./compose.js";
import { dockerFleetPlan } from "./plan.js";

const plan = dockerFleetPlan({ fleet: fleetModel(catalogOf(mixedSpecs(), "/repo"), { network: { kind: "docker" } }) });

describe("composeExport", () => {
  it("refuses a container argument it does not map, rather than dropping it", () => {
    expect(() => composeExport({ plan, root: "/repo", outdir: "/repo/out/compose", monitoring: { files: {}, containers: [{ name: "extra", args: { name: "extra", image: "x:1", privileged: true } }] } })).toThrow(
      "container extra has arguments the compose export does not map: privileged. Map them in components/docker/compose.ts.",
    );
  });

  it("names each secret's host variable: a server's own name, a distinct one per adapter session key", () => {
    const { variables } = composeExport({ plan, root: "/repo", outdir: "/repo/out/compose" });
    expect(variables.map((v) => v.name).sort()).toEqual(["GITHUB_TOKEN", "MCP_FLEET_SESSION_SECRET", adapterSessionVariable("github"), adapterSessionVariable("legacy")].sort());
    expect(adapterSessionVariable("sequential-thinking")).toBe("MCP_FLEET_SESSION_SECRET_SEQUENTIAL_THINKING");
  });

  it("writes the build context relative to the output directory", () => {
    const { files } = composeExport({ plan, root: "/repo", outdir: "/repo/out/compose" });
    expect(files["docker-compose.yml"]).toContain("      context: ../..\n");
  });
});
