/**
 * The shipped images, built and run in a real Docker engine (a private dockerd started here): gateway/Dockerfile and
 * servers/hello/Dockerfile as users build them (the base tag they name is made locally: nothing can be pulled here),
 * then the dev fleet's containers as the DockerFleet component plans them (every shipped stdio server in the gateway
 * image as its adapter, hello from its own image, the central gateway), with the components' hardening flags. An MCP
 * client lists and calls tools through the gateway; `docker stop` (SIGTERM) ends every container with exit code 0.
 *
 * Differences from `pulumi up -s dev`, forced by the engine here: no bridge network (`--bridge=none`), so containers
 * share the host network, each listens on 127.0.0.1 at a free port, and the gateway reaches the others there instead
 * of by network alias; configs are bind-mounted read-only where the component uploads them (/etc/mcp-fleet).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { treePids } from "../../bench/gateway/proctree.js";
import { freePort } from "../../bench/gateway/targets.js";
import { findRepoRoot, loadCatalog } from "../../servers/catalog/catalog.js";
import { fleetModel, SESSION_SECRET_ENV } from "../../servers/catalog/derive.js";
import { adapterSessionSecret, GATEWAY_CONFIG_DIR, GATEWAY_CONFIG_FILE } from "../workload.js";
import { CONTAINER_HARDENING, containerArgs, dockerFleetPlan, type DockerContainerPlan } from "./plan.js";
import { dockerRunWords } from "./testing/docker-run.js";
import { startDockerEngine, type DockerEngine } from "./testing/engine.js";
import { baseImagesOf, ensureNodeBaseImage } from "./testing/node-base-image.js";

const root = findRepoRoot();
const DOCKERFILES = ["gateway/Dockerfile", "servers/hello/Dockerfile"];

// The engine and the base image are needed to decide whether to skip, so they are made while the file is collected.
const started = await startDockerEngine();
let engine: DockerEngine | undefined = "engine" in started ? started.engine : undefined;
let skipped = "skipped" in started ? started.skipped : undefined;
if (engine !== undefined) {
  for (const image of baseImagesOf(DOCKERFILES.map((f) => join(root, f)))) {
    const base = await ensureNodeBaseImage(engine, image);
    if ("skipped" in base) {
      skipped = base.skipped;
      await engine.stop();
      engine = undefined;
      break;
    }
  }
}

afterAll(async () => {
  await engine?.stop();
});

const TAG = "test";
const catalog = await loadCatalog({ root });
const plan = dockerFleetPlan({ fleet: fleetModel(catalog, { network: { kind: "docker" } }), imageTag: TAG });
const fleetSessionSecret = randomBytes(32).toString("hex");
const docker = (args: string[], timeoutMs = 120_000) => engine!.docker(args, { timeoutMs });

interface Running {
  plan: DockerContainerPlan;
  /** Its environment on the host network (HOST/PORT for a built server). */
  env: Record<string, string>;
}

/** The plan's container, moved to 127.0.0.1:<port> on the host network; its config (if any) written for mounting. */
function hostNetworkConfig(c: DockerContainerPlan, ports: Map<string, number>): { env: Record<string, string>; configYaml?: string } {
  const port = ports.get(c.alias)!;
  if (c.uploads.length === 0) return { env: { ...c.env, HOST: "127.0.0.1", PORT: String(port) } };
  const config = parse(c.uploads[0]!.content) as { listen: { host: string; port: number }; servers: { url?: string }[] };
  config.listen = { ...config.listen, host: "127.0.0.1", port };
  for (const s of config.servers) {
    if (s.url !== undefined) {
      const url = new URL(s.url);
      url.host = `127.0.0.1:${ports.get(url.hostname)}`;
      s.url = url.href;
    }
  }
  return { env: c.env, configYaml: stringify(config) };
}

describe.skipIf(engine === undefined)(`the shipped images in a real Docker engine${skipped !== undefined ? ` (skipped: ${skipped})` : ""}`, () => {
  const running: Running[] = [];
  let gatewayUrl = "";
  const sizes: Record<string, number> = {};

  beforeAll(async () => {
    const configs = join(engine!.dir, "configs");
    mkdirSync(configs, { recursive: true });
    const ports = new Map<string, number>();
    for (const c of plan.containers) ports.set(c.alias, await freePort());
    for (const c of plan.containers) {
      const { env, configYaml } = hostNetworkConfig(c, ports);
      running.push({ plan: c, env });
      if (configYaml !== undefined) {
        const dir = join(configs, c.role);
        mkdirSync(dir, { recursive: true, mode: 0o755 });
        chmodSync(dir, 0o755);
        writeFileSync(join(dir, GATEWAY_CONFIG_FILE), configYaml, { mode: 0o644 });
      }
    }
    gatewayUrl = `http://127.0.0.1:${ports.get(plan.containers.find((c) => c.role === "gateway")!.alias)}/mcp`;
  });

  it("builds gateway/Dockerfile and servers/hello/Dockerfile", { timeout: 600_000 }, async () => {
    const built = [plan.gatewayImage, ...plan.containers.filter((c) => c.build !== undefined).map((c) => ({ image: c.image, dockerfile: c.build!.dockerfile }))];
    expect(built.map((b) => b.dockerfile).sort()).toEqual([...DOCKERFILES].sort());
    for (const { image, dockerfile } of built) {
      // The build's RUN steps reach the npm registry through the host's network (there is no bridge here).
      await docker(["build", "--network", "host", "-f", join(root, dockerfile), "-t", image, root], 600_000);
      sizes[image] = Number((await docker(["image", "inspect", "-f", "{{.Size}}", image])).stdout.trim());
    }
    // The gateway image holds the gateway and the servers' runtime, not the IaC libraries.
    const modules = await docker(["run", "--rm", "--network", "none", "--entrypoint", "sh", plan.gatewayImage.image, "-c", "ls node_modules node_modules/@modelcontextprotocol"]);
    expect(modules.stdout).not.toMatch(/^@pulumi$|^cdk8s$|^kubernetes-models$/m);
    expect(modules.stdout).toMatch(/^server-everything$/m);
    expect(modules.stdout).toMatch(/^server-sequential-thinking$/m);
    process.stdout.write(`image sizes: ${Object.entries(sizes).map(([i, s]) => `${i} ${(s / 1e6).toFixed(0)} MB`).join(", ")}\n`);
  });

  it("runs the fleet hardened as the components configure it; a client lists and calls tools through the gateway", { timeout: 180_000 }, async () => {
    for (const { plan: c, env } of running) {
      // Session keys as the component gives them: the fleet's to the gateway, a derived one to each adapter.
      const secrets: Record<string, string> = Object.fromEntries(c.secretEnv.map((k) => [k, randomBytes(16).toString("hex")]));
      if (c.sessionKey === "fleet") secrets[SESSION_SECRET_ENV] = fleetSessionSecret;
      if (c.sessionKey === "adapter") secrets[SESSION_SECRET_ENV] = adapterSessionSecret(fleetSessionSecret, c.role);
      const envs = Object.entries({ ...env, ...secrets }).map(([k, v]) => `${k}=${v}`);
      const args = containerArgs(c, { network: "host", image: c.image, envs });
      const mounts = c.uploads.length > 0 ? [`${join(engine!.dir, "configs", c.role)}:${GATEWAY_CONFIG_DIR}:ro`] : [];
      await docker(dockerRunWords(args, { network: "host", mounts }));
    }
    // The gateway reports every backend up (bounded wait: the adapters start their servers first).
    const statusUrl = new URL("/status", gatewayUrl);
    const deadline = Date.now() + 120_000;
    let status: { servers: { name: string; state: string }[] } = { servers: [] };
    while (Date.now() < deadline) {
      try {
        status = (await (await fetch(statusUrl, { signal: AbortSignal.timeout(2000) })).json()) as typeof status;
        if (status.servers.length > 0 && status.servers.every((s) => s.state === "up")) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status.servers.map((s) => [s.name, s.state]).sort()).toEqual(catalog.servers.map((e) => [e.spec.name, "up"]).sort());

    const client = new Client({ name: "images-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gatewayUrl)));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      for (const tool of ["everything__echo", "hello__greet", "memory__read_graph", "filesystem__list_allowed_directories", "sequential-thinking__sequentialthinking"]) expect(names).toContain(tool);
      const text = async (name: string, args: Record<string, unknown>) => ((await client.callTool({ name, arguments: args })) as CallToolResult).content.map((c) => (c.type === "text" ? c.text : "")).join("");
      expect(await text("everything__echo", { message: "from a container" })).toBe("Echo: from a container");
      expect(await text("hello__greet", { name: "Docker" })).toBe("Hello, Docker!");
      // memory writes its graph under the read-only root: servers/data/memory points at the container's /tmp.
      await client.callTool({ name: "memory__create_entities", arguments: { entities: [{ name: "docker-test", entityType: "test", observations: ["written in a container"] }] } });
      expect(await text("memory__read_graph", {})).toContain("written in a container");
      expect(await text("filesystem__list_allowed_directories", {})).toContain("/app/servers/data/filesystem");
    } finally {
      await client.close();
    }
  });

  it("every container runs as the components' uid with no capabilities on a read-only root", { timeout: 120_000 }, async () => {
    const [uid] = CONTAINER_HARDENING.user.split(":");
    for (const { plan: c } of running) {
      const probe = await engine!.docker(["exec", c.containerName, "sh", "-c", "id -u; grep CapEff /proc/1/status; touch /app/x 2>&1 || echo read-only"], { allowFailure: true });
      expect(probe.stdout.split("\n")[0]).toBe(uid);
      expect(probe.stdout).toMatch(/CapEff:\s+0{16}/);
      expect(probe.stdout).toContain("read-only");
    }
  });

  it("docker stop (SIGTERM) stops every container cleanly: exit code 0, no process left", { timeout: 120_000 }, async () => {
    const pids = new Map<string, number[]>();
    for (const { plan: c } of running) {
      const pid = Number((await docker(["inspect", "-f", "{{.State.Pid}}", c.containerName])).stdout.trim());
      pids.set(c.containerName, treePids(pid));
      expect(pids.get(c.containerName)!.length).toBeGreaterThanOrEqual(c.role === "gateway" || c.build !== undefined ? 1 : 2); // an adapter: the gateway and its server
    }
    // The gateway first, as a clean shutdown of the fleet would.
    for (const { plan: c } of [...running].reverse()) await docker(["stop", "-t", "20", c.containerName], 60_000);
    for (const { plan: c } of running) {
      const state = (await docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}", c.containerName])).stdout.trim();
      expect(`${c.containerName}: ${state}`).toBe(`${c.containerName}: exited 0 false`);
      expect(pids.get(c.containerName)!.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    }
    expect((await docker(["ps", "-q"])).stdout.trim()).toBe("");
  });
});
