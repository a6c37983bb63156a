/** Prometheus rule-file shapes (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/). */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: "critical" | "warning" | "info" } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string } & Record<string, string>;
}

export interface RuleGroup<R extends RecordingRule | AlertingRule = RecordingRule | AlertingRule> {
  name: string;
  interval?: string;
  rules: R[];
}

export interface RuleFile {
  groups: RuleGroup[];
}
