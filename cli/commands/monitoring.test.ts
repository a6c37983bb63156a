import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { listFiles } from "../../monitoring/generate.js";
import { promtool } from "../../monitoring/testing/promtool.js";
import { CliError } from "../errors.js";
import { register } from "./monitoring.js";

const root = join(import.meta.dirname, "..", "..");
let dir: string;
let stdout: string;

async function run(...args: string[]): Promise<void> {
  const program = new Command("mcp-fleet").exitOverride();
  register(program);
  await program.parseAsync(["monitoring", "render", "--root", root, ...args], { from: "user" });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-fleet-render-"));
  stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("mcp-fleet monitoring render", () => {
  it("writes prometheus.yml, rules and dashboards that promtool accepts, scraping the given targets", async () => {
    writeFileSync(join(dir, "keep.txt"), "mine");
    await run("-o", dir, "--target", "10.0.0.5:8080", "10.0.0.6:8080", "--scrape-interval", "30s");
    expect(listFiles(dir)).toEqual([
      "dashboards/mcp-fleet-gateway.json",
      "dashboards/mcp-fleet-overview.json",
      "dashboards/mcp-fleet-server.json",
      "keep.txt",
      "prometheus.yml",
      "rules/mcp-fleet.alerts.yaml",
      "rules/mcp-fleet.rules.yaml",
    ]);
    const config = parse(readFileSync(join(dir, "prometheus.yml"), "utf8"));
    expect(config.global).toEqual({ scrape_interval: "30s", evaluation_interval: "30s" });
    expect(config.scrape_configs[0].static_configs).toEqual([{ targets: ["10.0.0.5:8080", "10.0.0.6:8080"] }]);
    const check = promtool(["check", "config", "prometheus.yml"], dir);
    expect(check.output).toContain("SUCCESS: 2 rule files found");
    expect(stdout).toContain(`Prometheus: prometheus --config.file=${dir}/prometheus.yml --web.listen-address=127.0.0.1:9090 --storage.tsdb.path=${dir}/data`);
  });

  it("uses the job and namespace in the alerts", async () => {
    await run("-o", dir, "--job", "gw", "--namespace", "tools");
    const alerts = readFileSync(join(dir, "rules/mcp-fleet.alerts.yaml"), "utf8");
    expect(alerts).toContain('absent(up{job="gw"} == 1)');
    expect(alerts).toContain('kube_pod_container_status_restarts_total{namespace="tools", pod=~"mcp-.*"}');
  });

  it("rejects a target that is not host:port and a bad interval, naming the flag and the fix", async () => {
    await expect(run("-o", dir, "--target", "http://gw:8080")).rejects.toThrow(
      new CliError('`--target` "http://gw:8080" is not host:port. Pass the gateway\'s address, e.g. --target 127.0.0.1:8080.'),
    );
    await expect(run("-o", dir, "--scrape-interval", "15")).rejects.toThrow('`--scrape-interval` "15" is not a Prometheus duration. Use e.g. 15s or 1m.');
    expect(listFiles(dir)).toEqual([]);
  });
});
