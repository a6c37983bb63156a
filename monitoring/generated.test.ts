/** The checked-in monitoring/generated/ matches what the catalog renders today (`npm run monitoring:generate`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles, listFiles } from "./generate.js";
import { renderMonitoring } from "./render.js";

const root = join(import.meta.dirname, "..");
const dir = join(root, "monitoring", "generated");

describe("monitoring/generated", () => {
  it("is up to date with the catalog (run `npm run monitoring:generate` when this fails)", async () => {
    const expected = await generatedFiles(root);
    expect(listFiles(dir)).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) expect({ file, content: readFileSync(join(dir, file), "utf8") }).toEqual({ file, content });
  });

  it("links every alert to a heading of monitoring/runbook.md", () => {
    const runbook = readFileSync(join(root, "monitoring", "runbook.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")));
    const urls = renderMonitoring([]).alertRules.groups.flatMap((g) => g.rules.map((r) => ("alert" in r ? r.annotations.runbook_url : "")));
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) expect(anchors).toContain(url.split("#")[1]);
  });
});
