/**
 * `mcp-fleet synth --stack staging -o DIR` as a user runs it: the YAML export includes the stack's monitoring
 * (standalone Prometheus and Grafana in staging), and re-running replaces earlier files.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "./run-cli.test-helper.js";

const tmp = mkdtempSync(join(tmpdir(), "mcp-fleet-synth-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("mcp-fleet synth", () => {
  it("writes staging's objects, its Prometheus and Grafana included, one file per object", async () => {
    const out = join(tmp, "staging");
    const first = await runCli(["synth", "--stack", "staging", "-o", out], { timeoutMs: 55_000 });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    writeFileSync(join(out, "Stale.old.k8s.yaml"), "kind: Stale\n");
    const run = await runCli(["synth", "--stack", "staging", "-o", out], { timeoutMs: 55_000 });
    expect(run.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(run.stdout).toBe(`Wrote ${files.length} objects of stack staging to ${out}\n`);
    expect(files).not.toContain("Stale.old.k8s.yaml");
    const monitoring = files.filter((f) => f.includes(".mcp-monitoring-"));
    expect(monitoring).toContain("Deployment.mcp-monitoring-prometheus.k8s.yaml");
    expect(monitoring).toContain("Deployment.mcp-monitoring-grafana.k8s.yaml");
    const config = parse(readFileSync(join(out, "ConfigMap.mcp-monitoring-prometheus-config.k8s.yaml"), "utf8"));
    expect(config.metadata.namespace).toBe("mcp-staging");
    expect(parse(config.data["prometheus.yml"]).scrape_configs[0].dns_sd_configs[0].names).toEqual(["mcp-monitoring-gateway-pods.mcp-staging.svc.cluster.local"]);
  });
});
