import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../generate.js";
import { prometheusConfig } from "../prometheus-config.js";
import { ALERTS_FILE, renderMonitoring, RULES_FILE, toYaml } from "../render.js";
import { promtool, withFiles } from "../testing/promtool.js";
import { RECORDS } from "./names.js";
import { recordingRuleGroups } from "./recording.js";

const generatedDir = join(import.meta.dirname, "..", "generated");
const generated = Object.fromEntries(listFiles(generatedDir).map((f) => [f, readFileSync(join(generatedDir, f), "utf8")]));
const fixture = renderMonitoring([
  { name: "alpha", slo: { errorRatio: 0.01, p99LatencySeconds: 2 } },
  { name: "beta", slo: {} },
  { name: "gamma", slo: { p99LatencySeconds: 0.25 } },
]);

describe("rule files", () => {
  it.each([
    ["checked-in monitoring/generated", generated],
    ["a fleet with per-server SLOs", fixture.files],
  ])("promtool check rules accepts every rule file of %s", async (_label, files) => {
    const result = await withFiles(files, (dir) => promtool(["check", "rules", RULES_FILE, ALERTS_FILE], dir));
    expect(result.output).not.toContain("FAILED");
    expect(result.status).toBe(0);
  });

  it("promtool check rules rejects a broken expression (the check is real)", async () => {
    const broken = fixture.files[RULES_FILE]!.replace("sum by (server) (rate(", "sum by (server) (rate((");
    const result = await withFiles({ [RULES_FILE]: broken }, (dir) => promtool(["check", "rules", RULES_FILE], dir));
    expect(result.status).toBe(1);
  });

  it("names every recording rule level:metric:operations", () => {
    const names = fixture.recordingRules.groups.flatMap((g) => g.rules.map((r) => ("record" in r ? r.record : "")));
    for (const name of names) expect(name).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
    expect(names).toContain("server:mcp_gateway_tool_calls:rate5m");
    expect(names).toContain("fleet:mcp_gateway_tool_calls:rate5m");
  });

  it("records an SLO threshold only for the SLO fields a server's spec sets", () => {
    const slo = recordingRuleGroups([
      { name: "alpha", slo: { errorRatio: 0.01, p99LatencySeconds: 2 } },
      { name: "beta", slo: {} },
      { name: "gamma", slo: { p99LatencySeconds: 0.25 } },
    ]).find((g) => g.name === "mcp-fleet.slo.rules");
    expect(slo?.rules).toEqual([
      { record: RECORDS.sloErrorRatio, expr: "vector(0.01)", labels: { server: "alpha" } },
      { record: RECORDS.sloP99Latency, expr: "vector(2)", labels: { server: "alpha" } },
      { record: RECORDS.sloP99Latency, expr: "vector(0.25)", labels: { server: "gamma" } },
    ]);
    expect(recordingRuleGroups([{ name: "beta", slo: {} }]).map((g) => g.name)).toEqual(["mcp-fleet.server.rules", "mcp-fleet.fleet.rules"]);
  });

  it("gives every alert a severity, summary, description and a runbook anchor", () => {
    for (const rule of fixture.alertRules.groups.flatMap((g) => g.rules)) {
      if (!("alert" in rule)) throw new Error("alert group holds a recording rule");
      expect(rule.alert).toMatch(/^[A-Z][a-zA-Z0-9]+$/);
      expect(["critical", "warning", "info"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(10);
      expect(rule.annotations.runbook_url).toBe(`https://github.com/mcp-fleet/mcp-fleet/blob/main/monitoring/runbook.md#${rule.alert.toLowerCase()}`);
    }
  });
});

describe("prometheus.yml", () => {
  it("promtool check config accepts the checked-in prometheus.yml with its rule files", async () => {
    const result = await withFiles(generated, (dir) => promtool(["check", "config", "prometheus.yml"], dir));
    expect(result.output).toContain("SUCCESS: 2 rule files found");
    expect(result.status).toBe(0);
  });

  it("promtool check config accepts the in-cluster variant (DNS discovery of the gateway pods)", async () => {
    const config = prometheusConfig({ job: "mcp-gateway", targets: { kind: "dns", name: "mcp-gateway-pods.mcp.svc.cluster.local", port: 8080 } });
    const files = { ...fixture.files, "prometheus.yml": toYaml(config) };
    const result = await withFiles(files, (dir) => promtool(["check", "config", "prometheus.yml"], dir));
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
    expect(config.scrape_configs).toEqual([
      expect.objectContaining({
        job_name: "mcp-gateway",
        dns_sd_configs: [{ names: ["mcp-gateway-pods.mcp.svc.cluster.local"], type: "A", port: 8080, refresh_interval: "30s" }],
      }),
    ]);
  });
});
