/**
 * `npm start -- --monitoring`: the real `mcp-fleet dev` with a real Prometheus (from the machine) on 127.0.0.1,
 * loaded with the generated rules, scraping the gateway; the dashboards written for import; and the message that
 * says how to install Prometheus where it is missing.
 */
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/gateway/targets.js";
import { prometheusInstalled, PROMETHEUS_MISSING } from "../local-monitoring.js";
import { startDevFleet, type DevFleet } from "./dev-fleet.test-helper.js";
import { REPO_ROOT } from "./run-cli.test-helper.js";

const fleets: DevFleet[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const fleet of fleets) await fleet.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!prometheusInstalled())(`mcp-fleet dev --monitoring${prometheusInstalled() ? "" : " (skipped: prometheus is not installed; apt-get install prometheus)"}`, () => {
  it("runs Prometheus on 127.0.0.1 with the generated rules, scraping the gateway, and writes the dashboards", { timeout: 120_000 }, async () => {
    const prometheusPort = await freePort();
    const fleet = await startDevFleet(REPO_ROOT, { args: ["--monitoring", "--prometheus-port", String(prometheusPort)] });
    fleets.push(fleet);
    const url = `http://127.0.0.1:${prometheusPort}`;
    expect(fleet.output()).toContain(`Prometheus: ${url} (alerts: ${url}/alerts; config out/monitoring/local/prometheus.yml)\n`);
    expect(fleet.output()).toContain("Grafana dashboards to import: out/monitoring/local/dashboards/*.json (Dashboards > New > Import)\n");

    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; type: string }[] }[] } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.some((r) => r.type === "alerting")).toBe(true);
    expect(loaded.some((r) => r.type === "recording")).toBe(true);

    // The gateway is its target, and the first scrape succeeds (Prometheus scrapes on start, then every 15 s).
    const deadline = Date.now() + 60_000;
    let health = "";
    while (Date.now() < deadline && health !== "up") {
      const targets = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapeUrl: string; health: string }[] } };
      health = targets.data.activeTargets.find((t) => t.scrapeUrl === `http://127.0.0.1:${fleet.port}/metrics`)?.health ?? "missing";
      if (health !== "up") await new Promise((r) => setTimeout(r, 500));
    }
    expect(health).toBe("up");
    const query = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up{job="mcp-gateway"}')}`)).json()) as { data: { result: { value: [number, string] }[] } };
    expect(query.data.result.map((r) => r.value[1])).toEqual(["1"]);

    const dashboards = join(REPO_ROOT, "out", "monitoring", "local", "dashboards");
    const files = (await readdir(dashboards)).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect((JSON.parse(await readFile(join(dashboards, f), "utf8")) as { title?: string }).title).toMatch(/^MCP fleet \//);

    // Ctrl-C (SIGTERM here) stops Prometheus with the fleet.
    expect(await fleet.stop()).toBe(0);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  });
});

describe("mcp-fleet dev --monitoring without prometheus", () => {
  it("runs the fleet and says how to install Prometheus", { timeout: 120_000 }, async () => {
    // A PATH with node and nothing else: no prometheus.
    const bin = await mkdtemp(join(tmpdir(), "mcp-fleet-nopath-"));
    dirs.push(bin);
    await symlink(process.execPath, join(bin, "node"));
    const fleet = await startDevFleet(REPO_ROOT, { args: ["--monitoring", "--prometheus-port", String(await freePort())], env: { PATH: bin } });
    fleets.push(fleet);
    expect(fleet.output()).toContain(`warning: ${PROMETHEUS_MISSING}\n`);
    expect(fleet.output()).not.toContain("Prometheus: http");
    expect(existsSync(join(bin, "prometheus"))).toBe(false);
  });
});
