/**
 * Panel helpers shared by the dashboards: every query targets the dashboard's `datasource` variable, and each
 * panel is a time series or a stat with one or more PromQL queries.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder, type DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import { DashboardBuilder, DatasourceVariableBuilder, type Panel, type ValueMapping } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

export const DATASOURCE: DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** A fleet dashboard: title, uid and description, with what every one of them shares (tag, refresh, range, datasource). */
export function dashboardFrame(title: string, uid: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["mcp-fleet"])
    .refresh("30s")
    .time({ from: "now-1h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
}

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus");
}

export interface Query {
  expr: string;
  legend?: string;
}

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((q, i) =>
    new DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? "__auto"),
  );
}

export function timeseries(title: string, description: string, unit: string, queries: readonly Query[], width = 12): cog.Builder<Panel> {
  return new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .min(0)
    .height(8)
    .span(width)
    .fillOpacity(10)
    .targets(targets(queries));
}

export function stat(title: string, description: string, unit: string, query: Query, mappings: ValueMapping[] = []): cog.Builder<Panel> {
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(4)
    .span(6)
    .mappings(mappings)
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .targets(targets([query]));
}
