/**
 * Grafana provisioning files for a Grafana of our own (in-cluster or Docker): a default Prometheus datasource
 * and a file provider that loads the generated dashboards from a directory.
 */
import { toYaml } from "./render.js";

export const GRAFANA_DATASOURCE_UID = "prometheus";

export interface GrafanaProvisioningOptions {
  /** URL Grafana reaches Prometheus at (e.g. http://mcp-monitoring-prometheus:9090). */
  prometheusUrl: string;
  /** Directory inside the Grafana container holding the dashboard JSON files. */
  dashboardsPath: string;
  /** Grafana folder of the dashboards. @default "MCP fleet" */
  folder?: string;
}

/** `datasources/prometheus.yaml` and `dashboards/mcp-fleet.yaml`, relative to Grafana's provisioning directory. */
export function grafanaProvisioning(options: GrafanaProvisioningOptions): Record<string, string> {
  return {
    "datasources/prometheus.yaml": toYaml({
      apiVersion: 1,
      datasources: [
        { name: "Prometheus", uid: GRAFANA_DATASOURCE_UID, type: "prometheus", access: "proxy", url: options.prometheusUrl, isDefault: true, editable: false },
      ],
    }),
    "dashboards/mcp-fleet.yaml": toYaml({
      apiVersion: 1,
      providers: [
        {
          name: "mcp-fleet",
          folder: options.folder ?? "MCP fleet",
          type: "file",
          disableDeletion: true,
          allowUiUpdates: false,
          options: { path: options.dashboardsPath },
        },
      ],
    }),
  };
}

export interface GrafanaIniOptions {
  /** @default "0.0.0.0" */
  httpAddr?: string;
  /** @default 3000 */
  httpPort?: number;
  /** Anonymous access with this role and no login form; undefined keeps Grafana's login (admin password from a Secret). */
  anonymousRole?: "Viewer" | "Editor" | "Admin";
  /** Dashboard shown on the home page. */
  homeDashboardPath?: string;
}

/**
 * grafana.ini with every non-secret setting, mounted as a file rather than set as `GF_*` variables: settings such
 * as `GF_AUTH_*` look like secrets to the policy pack, and a file keeps them reviewable in one place.
 */
export function grafanaIni(options: GrafanaIniOptions = {}): string {
  const sections: Record<string, Record<string, string | number | boolean>> = {
    server: { http_addr: options.httpAddr ?? "0.0.0.0", http_port: options.httpPort ?? 3000 },
    paths: { data: "/var/lib/grafana", provisioning: "/etc/grafana/provisioning" },
    analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
    ...(options.homeDashboardPath === undefined ? {} : { dashboards: { default_home_dashboard_path: options.homeDashboardPath } }),
    ...(options.anonymousRole === undefined
      ? {}
      : { "auth.anonymous": { enabled: true, org_role: options.anonymousRole }, auth: { disable_login_form: true } }),
  };
  return `${Object.entries(sections)
    .map(([name, values]) => [`[${name}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${String(v)}`)].join("\n"))
    .join("\n\n")}\n`;
}
