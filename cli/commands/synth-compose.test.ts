/**
 * `mcp-fleet synth --stack dev --format compose`: the dev fleet as a Compose project, validated by the real
 * `docker-compose config` (Debian's docker-compose 1.29), and checked against the DockerFleet component's own plan:
 * the same containers with the same hardening, loopback ports only, Grafana with the dashboards provisioned, secrets
 * only as references.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { adapterSessionVariable } from "../../components/docker/compose.js";
import { containerArgs, dockerFleetPlan } from "../../components/docker/plan.js";
import { loadCatalog } from "../../servers/catalog/catalog.js";
import { dockerPlanInputFromConfig } from "../../stacks/program.js";
import { parseStackConfig, readRawConfig } from "../../stacks/config.js";
import { readStackFile } from "../../stacks/plan-stack.js";
import { REPO_ROOT, runCli } from "./run-cli.test-helper.js";

const hasCompose = spawnSync("sh", ["-c", "command -v docker-compose"], { stdio: "ignore" }).status === 0;
let dir = "";
const SECRET_VALUE = "c0mp0se-s3cret-never-written";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcp-fleet-compose-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function compose(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("docker-compose", args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

type Service = Record<string, unknown> & { volumes?: { source: string; target: string; read_only?: boolean }[]; ports?: string[]; environment?: Record<string, string> };

describe.skipIf(!hasCompose)(`mcp-fleet synth --format compose${hasCompose ? "" : " (skipped: docker-compose is not installed; apt-get install docker-compose)"}`, () => {
  let out = "";
  let written = "";
  let variables: string[] = [];
  let normalized: { services: Record<string, Service>; networks: Record<string, unknown> };

  beforeAll(async () => {
    out = join(dir, "dev");
    const run = await runCli(["synth", "--stack", "dev", "--format", "compose", "-o", out]);
    if (run.code !== 0) throw new Error(`synth --format compose exited ${run.code}: ${run.stderr}`);
    written = await readFile(join(out, "docker-compose.yml"), "utf8");
    variables = (await readFile(join(out, ".env.example"), "utf8")).split("\n").filter((l) => /^[A-Z_]+=$/.test(l)).map((l) => l.slice(0, -1));
    const env = Object.fromEntries(variables.map((v) => [v, `${SECRET_VALUE}-${v}`]));
    const config = await compose(["config"], out, env);
    if (config.code !== 0 || config.stderr !== "") throw new Error(`docker-compose config exited ${config.code}: ${config.stderr}`);
    normalized = parse(config.stdout) as typeof normalized;
  }, 120_000);

  it("docker-compose refuses the project until every secret is set, naming the variable", async () => {
    const run = await compose(["config"], out, {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Missing mandatory value for "environment" option .* in service "mcp-\S+": set MCP_FLEET_SESSION_SECRET\S* \(see \.env\.example\)/);
  });

  it("holds the DockerFleet component's containers, hardened exactly as the component gives them to Docker", async () => {
    const config = parseStackConfig(readRawConfig(readStackFile(REPO_ROOT, "dev").config), "dev");
    const plan = dockerFleetPlan(dockerPlanInputFromConfig(config, await loadCatalog({ root: REPO_ROOT })));
    const names = Object.keys(normalized.services).sort();
    expect(names).toEqual([...plan.containers.map((c) => c.containerName), "mcp-monitoring-grafana", "mcp-monitoring-prometheus"].sort());
    for (const c of plan.containers) {
      const a = containerArgs(c, { network: plan.networkName, image: c.image, envs: [] });
      const s = normalized.services[c.containerName]!;
      expect(s).toMatchObject({
        container_name: a.name,
        image: a.image,
        read_only: a.readOnly,
        cap_drop: a.capabilities.drops,
        user: a.user,
        security_opt: a.securityOpts,
        tmpfs: Object.entries(a.tmpfs).map(([p, o]) => `${p}:${o}`),
        restart: a.restart,
        mem_limit: `${a.memory}m`,
        networks: { [plan.networkName]: { aliases: [c.alias] } },
        labels: Object.fromEntries(a.labels.map((l) => [l.label, l.value])),
      });
      expect(s.entrypoint).toEqual(a.entrypoints);
      expect(s.build).toMatchObject({ context: REPO_ROOT });
    }
  });

  it("publishes only on 127.0.0.1; the monitoring on the host network listens on 127.0.0.1", () => {
    const ports = Object.values(normalized.services).flatMap((s) => s.ports ?? []);
    expect(ports).toEqual(["127.0.0.1:8080:8080/tcp"]);
    const prometheus = normalized.services["mcp-monitoring-prometheus"]!;
    expect(prometheus).toMatchObject({ network_mode: "host", read_only: true, cap_drop: ["ALL"], user: "65534:65534" });
    expect(prometheus.command).toContain("--web.listen-address=127.0.0.1:9090");
  });

  it("provisions Grafana with the generated dashboards and Prometheus with the generated rules, scraping the gateway", async () => {
    const grafana = normalized.services["mcp-monitoring-grafana"]!;
    const mounts = Object.fromEntries((grafana.volumes ?? []).map((v) => [v.target, v]));
    expect(mounts["/var/lib/grafana-dashboards"]).toMatchObject({ source: join(out, "monitoring", "grafana", "dashboards"), read_only: true });
    expect(mounts["/etc/grafana/provisioning"]).toMatchObject({ source: join(out, "monitoring", "grafana", "provisioning"), read_only: true });
    const dashboards = await readdir(join(out, "monitoring", "grafana", "dashboards"));
    expect(dashboards.sort()).toEqual(["mcp-fleet-gateway.json", "mcp-fleet-overview.json", "mcp-fleet-server.json"]);
    const provider = parse(await readFile(join(out, "monitoring", "grafana", "provisioning", "dashboards", "mcp-fleet.yaml"), "utf8")) as { providers: { options: { path: string } }[] };
    expect(provider.providers[0]?.options.path).toBe("/var/lib/grafana-dashboards");
    expect(await readFile(join(out, "monitoring", "grafana", "grafana.ini"), "utf8")).toMatch(/^http_addr = 127\.0\.0\.1$/m);
    const prom = parse(await readFile(join(out, "monitoring", "prometheus", "prometheus.yml"), "utf8")) as { scrape_configs: { static_configs: { targets: string[] }[] }[]; rule_files: string[] };
    expect(prom.scrape_configs[0]?.static_configs[0]?.targets).toEqual(["127.0.0.1:8080"]);
    expect((await readdir(join(out, "monitoring", "prometheus", "rules"))).length).toBeGreaterThan(0);
  });

  it("the gateway reaches every server at its alias on the compose network", async () => {
    const gatewayConfig = parse(await readFile(join(out, "config", "mcp-gateway", "gateway.yaml"), "utf8")) as { servers: { name: string; url: string }[] };
    const catalog = await loadCatalog({ root: REPO_ROOT });
    expect(gatewayConfig.servers.map((s) => s.url).sort()).toEqual(catalog.servers.map((e) => `http://mcp-${e.spec.name}:${e.spec.port}/mcp`).sort());
    expect(normalized.services["mcp-gateway"]?.volumes).toEqual([{ type: "bind", source: join(out, "config", "mcp-gateway"), target: "/etc/mcp-fleet", read_only: true }]);
  });

  it("references every secret and writes none: the values reach the containers only through compose", () => {
    expect(variables).toContain("MCP_FLEET_SESSION_SECRET");
    expect(variables).toContain(adapterSessionVariable("everything"));
    expect(written).not.toContain(SECRET_VALUE);
    expect(normalized.services["mcp-gateway"]?.environment).toEqual({ MCP_FLEET_SESSION_SECRET: `${SECRET_VALUE}-MCP_FLEET_SESSION_SECRET` });
    expect(normalized.services["mcp-everything"]?.environment).toEqual({ MCP_FLEET_SESSION_SECRET: `${SECRET_VALUE}-${adapterSessionVariable("everything")}` });
  });
});

describe("mcp-fleet synth --format compose of a Kubernetes stack", () => {
  it("refuses, naming the target and the fix", async () => {
    const run = await runCli(["synth", "--stack", "staging", "--format", "compose", "-o", join(dir, "staging")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('mcp-fleet: stack "staging" targets kubernetes; --format compose writes a Docker stack. Pick a docker stack (mcp-fleet:target: docker), e.g. dev, or drop --format for Kubernetes YAML.\n');
  });
});
