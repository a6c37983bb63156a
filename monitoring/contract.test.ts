/** Every metric the rules, alerts and dashboards use exists in the gateway's metrics contract with those labels. */
import { contractMetricNames, METRICS, RUNTIME_METRICS } from "@mcp-fleet/gateway/metrics";
import { describe, expect, it } from "vitest";
import { EXTERNAL_METRICS } from "./alerts/alerts.js";
import { dashboardQueries } from "./dashboards/index.js";
import { renderMonitoring } from "./render.js";
import { scanPromql } from "./testing/promql.js";

const rendered = renderMonitoring([{ name: "alpha", slo: { errorRatio: 0.01, p99LatencySeconds: 2 } }], { namespace: "mcp" });
/** Labels Prometheus attaches to every target (static, Docker and Kubernetes discovery). */
const TARGET_LABELS = ["job", "instance", "namespace", "pod"];

const allowed = new Map<string, string[]>();
for (const m of Object.values(METRICS)) {
  const labels = [...m.labels, ...TARGET_LABELS];
  if (m.type === "histogram") {
    allowed.set(`${m.name}_bucket`, [...labels, "le"]);
    allowed.set(`${m.name}_sum`, labels);
    allowed.set(`${m.name}_count`, labels);
  } else allowed.set(m.name, labels);
}
for (const name of RUNTIME_METRICS) allowed.set(name, TARGET_LABELS);
for (const [name, labels] of Object.entries(EXTERNAL_METRICS)) allowed.set(name, [...labels, ...TARGET_LABELS]);

const records = new Map<string, Set<string>>();
for (const rule of rendered.recordingRules.groups.flatMap((g) => g.rules)) {
  if (!("record" in rule)) continue;
  const labels = records.get(rule.record) ?? new Set<string>();
  for (const l of Object.keys(rule.labels ?? {})) labels.add(l);
  labels.add("server");
  // A record keeps the labels its expression aggregates by (`sum by (server, version)`).
  for (const by of rule.expr.matchAll(/\bby \(([^)]*)\)/g)) for (const l of by[1]!.split(",").map((x) => x.trim())) if (l !== "" && l !== "le") labels.add(l);
  records.set(rule.record, labels);
}

const exprs: Array<{ where: string; expr: string }> = [
  ...rendered.recordingRules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${"record" in r ? r.record : ""}`, expr: r.expr }))),
  ...rendered.alertRules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${"alert" in r ? r.alert : ""}`, expr: r.expr }))),
  ...Object.entries(rendered.dashboards).flatMap(([file, board]) =>
    dashboardQueries(board as Parameters<typeof dashboardQueries>[0]).map((q) => ({ where: `${file} panel "${q.panel}"`, expr: q.expr })),
  ),
];
const everyLabel = new Set([...[...allowed.values()].flat(), ...[...records.values()].flatMap((s) => [...s])]);

describe("metrics contract", () => {
  it("every selected metric is in the contract (or a recording rule of ours) with the labels it is matched on", () => {
    const problems: string[] = [];
    for (const { where, expr } of exprs) {
      for (const sel of scanPromql(expr).selectors) {
        const labels = sel.metric.includes(":") ? records.get(sel.metric) : allowed.get(sel.metric);
        if (labels === undefined) problems.push(`${where}: ${sel.metric} is not in the metrics contract`);
        else for (const l of sel.labels) if (![...labels].includes(l)) problems.push(`${where}: ${sel.metric} has no label ${l}`);
      }
      for (const l of scanPromql(expr).groupingLabels) if (!everyLabel.has(l)) problems.push(`${where}: groups by unknown label ${l}`);
    }
    expect(problems).toEqual([]);
    expect(exprs.length).toBeGreaterThan(50);
  });

  it("uses every gateway metric of the contract somewhere", () => {
    const used = new Set(exprs.flatMap(({ expr }) => scanPromql(expr).selectors.map((s) => s.metric.replace(/_(bucket|sum|count)$/, ""))));
    expect(contractMetricNames().filter((name) => !used.has(name))).toEqual([]);
  });

  it("catches a metric that drifted from the contract", () => {
    const drifted = scanPromql('sum by (server) (rate(mcp_gateway_tool_call_total{server="x"}[5m]))').selectors[0]!;
    expect(allowed.has(drifted.metric)).toBe(false);
  });
});
