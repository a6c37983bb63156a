/**
 * `mcp-fleet plan --stack NAME` as a user runs it (a real child process): every shipped stack plans offline with its
 * monitoring stack (`mcp-fleet:monitoringStack`), and the tree shows the Monitoring component and its resources.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.test-helper.js";

/** The children of the Monitoring component in the tree: `<type>  <name>` lines indented under it. */
function monitoringChildren(tree: string): string[] {
  const lines = tree.split("\n");
  const at = lines.findIndex((l) => l.includes("mcp-fleet:monitoring:Monitoring  mcp-monitoring"));
  if (at < 0) return [];
  const indent = lines[at]!.indexOf("mcp-fleet:monitoring:Monitoring");
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const m = /([a-z]+:[\w./-]+:\w+)\s+(\S+)$/.exec(line);
    if (m === null || line.indexOf(m[1]!) <= indent) break;
    out.push(`${m[1]} ${m[2]}`);
  }
  return out;
}

describe("mcp-fleet plan on the shipped stacks, monitoring included", () => {
  it("dev: Prometheus and Grafana containers (the files they mount are written by `pulumi up`, not by a plan)", async () => {
    const run = await runCli(["plan", "--stack", "dev"], { timeoutMs: 55_000 });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(monitoringChildren(run.stdout)).toEqual(["docker:index/container:Container mcp-monitoring-grafana", "docker:index/container:Container mcp-monitoring-prometheus"]);
  });

  it("staging: our own Prometheus and Grafana (standalone)", async () => {
    const run = await runCli(["plan", "--stack", "staging"], { timeoutMs: 55_000 });
    expect(run.code).toBe(0);
    const children = monitoringChildren(run.stdout);
    expect(children).toContain("kubernetes:apps/v1:Deployment mcp-monitoring-prometheus");
    expect(children).toContain("kubernetes:apps/v1:Deployment mcp-monitoring-grafana");
    expect(children).toContain("kubernetes:core/v1:ConfigMap mcp-monitoring-prometheus-config");
    expect(children.some((c) => c.includes("monitoring.coreos.com"))).toBe(false);
  });

  it("prod: a PrometheusRule and sidecar dashboards into kube-prometheus-stack", async () => {
    const run = await runCli(["plan", "--stack", "prod"], { timeoutMs: 55_000 });
    expect(run.code).toBe(0);
    expect(monitoringChildren(run.stdout)).toEqual([
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-gateway",
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-overview",
      "kubernetes:core/v1:ConfigMap mcp-monitoring-dashboard-server",
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule mcp-monitoring-rules",
    ]);
  });
});

describe("--stack help", () => {
  it("names the stacks of stacks/Pulumi.*.yaml for plan, synth and check", async () => {
    for (const command of ["plan", "synth", "check"]) {
      const { stdout } = await runCli([command, "--help"]);
      expect(stdout.replace(/\s+/g, " ")).toMatch(/-s, --stack <name> stack to \w+: dev, prod, staging \(stacks\/Pulumi\.<name>\.yaml\)/);
    }
  });
});
