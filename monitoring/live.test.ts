/**
 * Live: a real Prometheus on 127.0.0.1 scrapes the real gateway (its bin, as deployed) in front of real stdio
 * backends, with our generated rules loaded. Bounded traffic includes successes, JSON-RPC errors, tool errors, slow
 * calls, a backend killed once (restarted by the gateway) and then killed for good. Then, through Prometheus' HTTP
 * API: every recording rule has data, every dashboard panel's query returns series, McpBackendDown goes pending or
 * firing; and the gateway's /metrics matches the metrics contract.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { METRICS, RUNTIME_METRICS } from "@mcp-fleet/gateway/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardQueries, dashboards } from "./dashboards/index.js";
import { writeFiles } from "./generate.js";
import { resolveOptions } from "./model.js";
import { prometheusConfig } from "./prometheus-config.js";
import { renderMonitoring, toYaml } from "./render.js";
import { type Child, freePort, REPO_ROOT, startChild, waitFor } from "./testing/processes.js";
import { scanPromql } from "./testing/promql.js";

const work = mkdtempSync(join(tmpdir(), "mcp-fleet-live-"));
const files = {
  steadyPid: join(work, "steady.pid"),
  flakyPid: join(work, "flaky.pid"),
  flakyDisabled: join(work, "flaky.disabled"),
};
const servers = [
  { name: "flaky", slo: {} },
  { name: "steady", slo: { errorRatio: 0.5, p99LatencySeconds: 1 } },
];

let gateway: Child | undefined;
let prometheus: Child | undefined;
let client: Client | undefined;
let gatewayUrl = "";
let promUrl = "";
let metricsAfterTraffic = "";

async function promQuery(query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== "success") throw new Error(`query ${query} failed: ${body.error}`);
  return body.data.result;
}

async function gatewayMetrics(): Promise<string> {
  return (await fetch(new URL("/metrics", gatewayUrl))).text();
}

async function callTool(name: string, args: Record<string, unknown> = {}): Promise<"ok" | "tool_error" | "error"> {
  try {
    const result = await client!.callTool({ name, arguments: args }, undefined, { timeout: 10_000 });
    return result.isError === true ? "tool_error" : "ok";
  } catch {
    return "error";
  }
}

function killFromPidFile(file: string): void {
  process.kill(Number(readFileSync(file, "utf8")), "SIGKILL");
}

const diagnostics = () => `--- gateway ---\n${gateway?.output().slice(-3000)}\n--- prometheus ---\n${prometheus?.output().slice(-3000)}`;

beforeAll(async () => {
  // The gateway, with two stdio backends of our own.
  const backend = join(REPO_ROOT, "monitoring/testing/backend.mjs");
  const stdio = (name: string, env: Record<string, string>) => ({
    name,
    transport: "stdio",
    command: process.execPath,
    args: [backend],
    env,
    timeoutMs: 5_000,
    restart: { initialDelayMs: 100, maxDelayMs: 500 },
  });
  const configFile = join(work, "gateway.yaml");
  writeFileSync(
    configFile,
    toYaml({
      listen: { host: "127.0.0.1", port: 0 },
      logging: { level: "warn" },
      servers: [stdio("steady", { FIXTURE_PID_FILE: files.steadyPid }), stdio("flaky", { FIXTURE_PID_FILE: files.flakyPid, FIXTURE_DISABLED_FILE: files.flakyDisabled })],
    }),
  );
  gateway = startChild(process.execPath, ["gateway/bin/mcp-fleet-gateway.js", "--config", configFile]);
  gatewayUrl = await waitFor("the gateway to listen", async () => /"listening":"([^"]+)"/.exec(gateway!.output())?.[1], 30_000, diagnostics);
  const gatewayAddress = new URL(gatewayUrl).host;

  // Prometheus with the generated rules, scraping and evaluating every second.
  const rendered = renderMonitoring(servers);
  const promDir = join(work, "prometheus");
  writeFiles(promDir, {
    ...rendered.files,
    "prometheus.yml": toYaml(
      prometheusConfig({ job: "mcp-gateway", targets: { kind: "static", targets: [gatewayAddress] }, scrapeInterval: "1s", evaluationInterval: "1s" }),
    ),
  });
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  prometheus = startChild("prometheus", [
    `--config.file=${join(promDir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(work, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--log.level=warn",
  ]);
  await waitFor("Prometheus to be ready", async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 30_000, diagnostics);

  // Bounded traffic: 4 rounds of 14 calls.
  client = new Client({ name: "monitoring-live-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(gatewayUrl)));
  for (let round = 0; round < 4; round++) {
    const calls = [
      ...Array.from({ length: 5 }, (_, i) => callTool("steady__echo", { text: `r${round}-${i}` })),
      ...Array.from({ length: 5 }, (_, i) => callTool("flaky__echo", { text: `r${round}-${i}` })),
      callTool("steady__fail"),
      callTool("steady__tool_fail"),
      callTool("steady__slow", { ms: 150 }),
      callTool("flaky__slow", { ms: 50 }),
    ];
    const outcomes = await Promise.all(calls);
    const expected = [...Array(10).fill("ok"), "error", "tool_error", "ok", "ok"];
    if (JSON.stringify(outcomes) !== JSON.stringify(expected)) throw new Error(`round ${round}: outcomes ${outcomes.join(",")}, expected ${expected.join(",")}`);
  }

  // Kill flaky once: the gateway restarts it.
  killFromPidFile(files.flakyPid);
  await waitFor("the gateway to restart flaky", async () => (/mcp_gateway_backend_restarts_total\{server="flaky"\} [1-9]/.test(await gatewayMetrics()) ? true : undefined), 20_000, diagnostics);
  await waitFor("flaky to answer again", async () => ((await callTool("flaky__echo", { text: "back" })) === "ok" ? true : undefined), 20_000, diagnostics);

  // Kill it for good: it refuses to start again, so the gateway reports it down and its calls fail.
  writeFileSync(files.flakyDisabled, "");
  killFromPidFile(files.flakyPid);
  await waitFor("flaky to be down", async () => (/mcp_gateway_backend_up\{server="flaky",transport="stdio"\} 0/.test(await gatewayMetrics()) ? true : undefined), 20_000, diagnostics);
  const whileDown = await Promise.all([callTool("flaky__echo"), callTool("flaky__echo")]);
  if (whileDown.some((o) => o !== "error")) throw new Error(`calls to a down backend should fail, got ${whileDown.join(",")}`);
  metricsAfterTraffic = await gatewayMetrics();

  // Prometheus has seen all of it.
  await waitFor(
    "Prometheus to scrape the traffic and the down backend",
    async () => ((await promQuery('mcp_gateway_backend_up{server="flaky"} == 0')).length > 0 && (await promQuery('mcp_gateway_tool_calls_total{outcome="unavailable"}')).length > 0 ? true : undefined),
    30_000,
    diagnostics,
  );
}, 120_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await gateway?.stop();
  await prometheus?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Contract families the gateway has not emitted a sample of (e.g. a feature it does not implement yet). */
function familiesWithoutSamples(text: string): string[] {
  return Object.values(METRICS)
    .map((m): string => m.name)
    .filter((name) => !new RegExp(`^${name}(_bucket|_sum|_count)?(\\{|\\s)`, "m").test(text));
}

describe("live: Prometheus scraping the real gateway", () => {
  it("the gateway's /metrics matches the contract: every family, its type and its labels", () => {
    const types = new Map([...metricsAfterTraffic.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const m of Object.values(METRICS)) expect({ name: m.name, type: types.get(m.name) }).toEqual({ name: m.name, type: m.type });
    expect(RUNTIME_METRICS.filter((name) => !types.has(name))).toEqual([]);
    const contract = new Set<string>(Object.values(METRICS).map((m) => m.name));
    expect([...types.keys()].filter((name) => name.startsWith("mcp_") && !contract.has(name))).toEqual([]);
    const problems: string[] = [];
    for (const m of Object.values(METRICS)) {
      const allowed = new Set([...m.labels, ...(m.type === "histogram" ? ["le"] : [])]);
      for (const sample of metricsAfterTraffic.matchAll(new RegExp(`^${m.name}(?:_bucket|_sum|_count)?\\{([^}]*)\\}`, "gm"))) {
        for (const label of [...sample[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!)) if (!allowed.has(label)) problems.push(`${m.name} has label ${label}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every recording rule has data", async () => {
    const records = [...new Set(renderMonitoring(servers).recordingRules.groups.flatMap((g) => g.rules.map((r) => ("record" in r ? r.record : ""))))];
    // Rules evaluate every second: give the newest series a few evaluations, bounded.
    const deadline = Date.now() + 20_000;
    let empty: string[] = records;
    while (empty.length > 0 && Date.now() < deadline) {
      const missing: string[] = [];
      for (const record of empty) if ((await promQuery(record)).length === 0) missing.push(record);
      empty = missing;
      if (empty.length > 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(empty).toEqual([]);
    expect(records.length).toBeGreaterThan(12);
  });

  it("every dashboard panel's query returns series (except panels on metrics the gateway does not emit yet)", async () => {
    const unemitted = familiesWithoutSamples(metricsAfterTraffic);
    const queries = Object.values(dashboards(resolveOptions())).flatMap((board) => dashboardQueries(board).map((q) => ({ ...q, board: board.title })));
    const substitute = (expr: string) => expr.replaceAll("$__rate_interval", "5m").replaceAll("$server", "flaky").replaceAll("$instance", ".*");
    const dependsOnUnemitted = (expr: string) => scanPromql(expr).selectors.some((s) => unemitted.includes(s.metric.replace(/_(bucket|sum|count)$/, "")));
    const withoutData: string[] = [];
    for (const q of queries) if ((await promQuery(substitute(q.expr))).length === 0) withoutData.push(`${q.board} / ${q.panel}: ${q.expr}`);
    const expectedWithoutData = queries.filter((q) => dependsOnUnemitted(q.expr)).map((q) => `${q.board} / ${q.panel}: ${q.expr}`);
    expect(withoutData).toEqual(expectedWithoutData);
    // The breakers are on by default: the circuit-state panel has data (closed or not, per server).
    expect(unemitted).not.toContain(METRICS.circuitState.name);
    expect(queries.filter((q) => q.panel === "Circuit").map((q) => withoutData.includes(`${q.board} / ${q.panel}: ${q.expr}`))).toEqual([false]);
    expect(queries.length - withoutData.length).toBeGreaterThan(30);
  });

  it("McpBackendDown goes pending (then firing) for the killed backend, and only for it", async () => {
    const alerts = await waitFor(
      "McpBackendDown for flaky",
      async () => {
        const res = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
        const down = res.data.alerts.filter((a) => a.labels.alertname === "McpBackendDown");
        return down.length > 0 ? down : undefined;
      },
      20_000,
      diagnostics,
    );
    expect(alerts.map((a) => a.labels)).toEqual([{ alertname: "McpBackendDown", server: "flaky", severity: "critical" }]);
    expect(["pending", "firing"]).toContain(alerts[0]!.state);
    expect(existsSync(files.flakyDisabled)).toBe(true);
  });
});
