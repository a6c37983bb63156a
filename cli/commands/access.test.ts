import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.test-helper.js";

describe("mcp-fleet access", () => {
  it("prints the role x tool matrix of a stack from the servers' own tool lists", async () => {
    const run = await runCli(["access", "--stack", "prod"]);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith("Stack prod (auth oauth): who may see and call each tool.\n\nTOOL")).toBe(true);
    expect(run.stdout).toMatch(/^TOOL +any +engineering +support$/m);
    // support may echo, not write files; anyone signed in reads the memory graph.
    expect(run.stdout).toMatch(/^everything__echo +x +x$/m);
    expect(run.stdout).toMatch(/^filesystem__write_file {2,}x$/m);
    expect(run.stdout).toMatch(/^memory__read_graph +x +x +x$/m);
  });

  it("prints what changed since an earlier matrix as a Markdown list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-fleet-access-"));
    const before = join(dir, "before.json");
    const now = JSON.parse((await runCli(["access", "--stack", "prod", "--json"])).stdout) as { grants: Record<string, string[]> };
    writeFileSync(before, JSON.stringify({ grants: { ...now.grants, support: now.grants.support!.filter((t) => t !== "everything__echo"), intern: ["hello__greet"] } }));
    const run = await runCli(["access", "--stack", "prod", "--diff", before]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("### Access (prod)\n\n- role intern loses hello__greet\n- role support gains everything__echo\n");
  });
});
