import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ResourceRecord } from "../../policies/harness/types.js";
import { firstContainer, mutate, validFleet } from "../../policies/test/fixtures.js";
import { CliError } from "../errors.js";
import { runCheck } from "./check.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

const source = (resources: ResourceRecord[]) => async () => resources;

describe("mcp-fleet check (with a given set of resources)", () => {
  it("exits 0 with a one-line summary when the stack is clean", async () => {
    const out = sink();
    expect(await runCheck({ stack: "prod" }, source(validFleet()), out.stream)).toBe(0);
    expect(out.text()).toBe(
      "Policy check passed: stack prod, 13 resources, 25 policies of mcp-fleet v0.1.0 (policies/config/prod.json): 0 mandatory, 0 advisory violations.\n",
    );
  });

  it("exits 1 on a mandatory violation, naming the policy, the resource and the fix", async () => {
    const broken = validFleet().map((r) => (r.name === "mcp-memory-deployment" ? mutate(r, (i) => (firstContainer(i).image = "ghcr.io/acme/memory:latest")) : r));
    const out = sink();
    expect(await runCheck({ stack: "prod" }, source(broken), out.stream)).toBe(1);
    expect(out.text()).toContain(
      [
        "    [mandatory]  mcp-fleet v0.1.0  mcp-image-pinned (kubernetes:apps/v1:Deployment: mcp-memory-deployment)",
        "    Container images must be pinned to a version tag or a digest.",
        "    Container `memory` of Deployment `mcp-memory` image `ghcr.io/acme/memory:latest` uses `:latest`. Pin it to a version tag or a digest.",
      ].join("\n"),
    );
    expect(out.text()).toContain("Policy check failed: stack prod, 13 resources");
  });

  it("exits 0 in dev, where the same mistake is advisory", async () => {
    const broken = validFleet().map((r) => (r.name === "mcp-memory-deployment" ? mutate(r, (i) => (firstContainer(i).image = "ghcr.io/acme/memory:latest")) : r));
    const out = sink();
    expect(await runCheck({ stack: "dev" }, source(broken), out.stream)).toBe(0);
    expect(out.text()).toContain("[advisory]  mcp-fleet v0.1.0  mcp-image-pinned");
    expect(out.text()).toContain("0 mandatory, 1 advisory violation.");
  });

  it("refuses a stack without a pack config, naming the file", async () => {
    await expect(runCheck({ stack: "qa" }, source([]), sink().stream)).rejects.toThrow(CliError);
    await expect(runCheck({ stack: "qa" }, source([]), sink().stream)).rejects.toThrow(/policies\/config\/qa\.json: no such policy pack config\. Create it/);
  });
});
