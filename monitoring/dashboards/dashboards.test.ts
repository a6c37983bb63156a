import { describe, expect, it } from "vitest";
import { resolveOptions } from "../model.js";
import { toYaml } from "../render.js";
import { promtool, withFiles } from "../testing/promtool.js";
import { dashboardQueries, dashboards } from "./index.js";

const boards = dashboards(resolveOptions());

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the query. */
export function substituteVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "5m")
    .replaceAll("$__interval", "1m")
    .replaceAll("$__range", "1h")
    .replaceAll("$server", "memory")
    .replaceAll("$instance", ".*");
}

describe("dashboards", () => {
  it("parses every panel query with promtool", async () => {
    const rules = Object.entries(boards).flatMap(([file, board]) =>
      dashboardQueries(board).map((q, i) => ({ record: `dashboard:${file.replace(/\W/g, "_")}:q${i}`, expr: substituteVariables(q.expr) })),
    );
    expect(rules.length).toBeGreaterThan(30);
    const result = await withFiles({ "panels.yaml": toYaml({ groups: [{ name: "panels", rules }] }) }, (dir) => promtool(["check", "rules", "panels.yaml"], dir));
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it("leaves no Grafana variable unreplaced for promtool", () => {
    for (const board of Object.values(boards)) for (const q of dashboardQueries(board)) expect(substituteVariables(q.expr)).not.toContain("$");
  });

  it("builds the fleet overview, a per-server dashboard with a server variable, and gateway internals", () => {
    const titles = (file: string) => (boards[file]?.panels ?? []).map((p) => p.title);
    expect(titles("mcp-fleet-overview.json")).toEqual(
      expect.arrayContaining(["Calls/s", "Error ratio", "p99 latency", "Backends up", "Calls/s by server", "Error ratio by server", "p99 latency by server"]),
    );
    expect(boards["mcp-fleet-server.json"]?.templating?.list?.map((v) => v.name)).toEqual(["datasource", "server"]);
    expect(dashboardQueries(boards["mcp-fleet-server.json"]!).filter((q) => !q.expr.includes('server="$server"'))).toEqual([]);
    expect(titles("mcp-fleet-gateway.json")).toEqual(expect.arrayContaining(["Sessions", "CPU", "Memory", "Event-loop lag"]));
  });

  it("points every panel at the datasource variable and gives dashboards stable uids", () => {
    for (const [file, board] of Object.entries(boards)) {
      expect(board.uid).toBe(file.replace(/\.json$/, ""));
      const panels = (board.panels ?? []).filter((p) => p.type !== "row");
      expect(panels.map((p) => (p as { datasource?: unknown }).datasource)).toEqual(panels.map(() => ({ type: "prometheus", uid: "${datasource}" })));
    }
  });
});
