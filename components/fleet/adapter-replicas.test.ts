/**
 * A stdio server with several replicas: two adapter pods behind one Service. The central gateway's upstream session
 * is sealed by whichever adapter answered `initialize`; the Service sends its next request to any replica, which
 * must serve that session. Adapters share what seals it only when the manifests give them the same session key.
 *
 * Run for real: the Fleet component renders the manifests (under Pulumi's mocks, secret values captured before they
 * are masked); two adapter processes (the real gateway bin, passthrough, in front of the real server-everything over
 * stdio) run with the config and environment their Deployment gives them; nginx balances between them round-robin
 * (no upstream keep-alive: one request, one pick), as a ClusterIP Service does per connection; the central gateway,
 * with its own rendered config, reaches the server through nginx.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, freePort, REPO_ROOT, startChild, waitFor } from "../../monitoring/testing/processes.js";
import { KNOWN_SECRET, catalogOf, clusterFleet, containerEnvOf, unwrapSecrets, type Json } from "../testing/fixtures.js";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => {
  try {
    execFileSync(path, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
if (NGINX === undefined) process.stderr.write("adapter-replicas.test.ts: nginx is not installed (apt-get install -y nginx): the live round-robin test is skipped.\n");

const EVERYTHING = { name: "everything", description: "server-everything over stdio", owner: "platform", transport: { type: "stdio" as const, command: "node", args: ["node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"] }, port: 3101, replicas: 2 };

interface Registered {
  type: string;
  name: string;
  inputs: Json;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks({ newResource: (args) => (registered.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) }), { id: `${args.name}-id`, state: {} }), call: (args) => args.inputs }, "mcp-fleet", "staging", false);
  const { Fleet } = await import("./fleet.js");
  const fleet = new Fleet("mcp", {
    fleet: clusterFleet(catalogOf([{ file: "servers/everything.ts", spec: EVERYTHING }], REPO_ROOT), "tools"),
    gatewayImage: "ghcr.io/acme/mcp-fleet-gateway:0.3.0",
    gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret(KNOWN_SECRET) },
  });
  const urns = [fleet.urn, fleet.gateway.urn, ...Object.values(fleet.gateway.resources).map((r) => r.urn), ...Object.values(fleet.servers).flatMap((s) => [s.urn, ...Object.values(s.resources).map((r) => r.urn)])];
  const all = new Promise((resolve) => pulumi.all(urns).apply(resolve));
  await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error("the Fleet's resources did not register within 20 s")), 20_000))]);
});

const find = (type: string, name: string): Json => {
  const r = registered.find((x) => x.type === type && x.name === name);
  if (r === undefined) throw new Error(`no ${type} ${name}; have ${registered.map((x) => `${x.type} ${x.name}`).join(", ")}`);
  return r.inputs;
};

/** The environment Kubernetes gives the container: plain values, and `secretKeyRef`s resolved from the Secrets the Fleet creates. */
const containerEnv = (container: Json): Record<string, string> => containerEnvOf(registered, container);

describe("adapter workloads under Pulumi mocks", () => {
  it("read MCP_FLEET_SESSION_SECRET from their own Secret by reference, never as a value", () => {
    const container = find("kubernetes:apps/v1:Deployment", "mcp-everything-deploy").spec.template.spec.containers[0];
    expect(container.env).toEqual(
      ["MCP_FLEET_SESSION_SECRET", "MCP_FLEET_API_KEYS"].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: "mcp-everything-session", key } } })),
    );
    const secret = find("kubernetes:core/v1:Secret", "mcp-everything-session");
    expect(secret.metadata).toMatchObject({ name: "mcp-everything-session", namespace: "tools" });
    const key = secret.stringData.MCP_FLEET_SESSION_SECRET as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // Its own key, not the gateway's: a server that reads its adapter's environment cannot seal the fleet's sessions.
    expect(key).not.toBe(KNOWN_SECRET);
  });
});

const work = mkdtempSync(join(tmpdir(), "mcp-fleet-replicas-"));
const children: Child[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  rmSync(work, { recursive: true, force: true });
});

async function startGateway(name: string, config: Json, env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, stringify({ ...config, listen: { ...config.listen, host: "127.0.0.1", port } }));
  const child = startChild(process.execPath, [join(REPO_ROOT, "gateway/bin/mcp-fleet-gateway.js"), "--config", file], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`gateway ${name} listening`, async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 30_000, child.output);
  return { child, url: base };
}

/** nginx on 127.0.0.1, round-robin over `upstreams`, no upstream keep-alive; returns its address and its access log. */
async function startNginx(name: string, upstreams: string[]): Promise<{ address: string; log: string }> {
  const dir = join(work, `nginx-${name}`);
  const port = await freePort();
  const log = join(dir, "access.log");
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(
    join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      "events { worker_connections 64; }",
      "http {",
      "  log_format upstream '$upstream_addr $status';",
      `  access_log ${log} upstream;`,
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      `  upstream adapters { ${upstreams.map((u) => `server ${u};`).join(" ")} }`,
      "  server {",
      `    listen 127.0.0.1:${port};`,
      "    location / { proxy_pass http://adapters; proxy_set_header Host $http_host; proxy_http_version 1.1; proxy_buffering off; proxy_read_timeout 60s; proxy_next_upstream off; }",
      "  }",
      "}",
    ].join("\n"),
  );
  const child = startChild(NGINX!, ["-p", dir, "-c", join(dir, "nginx.conf")]);
  children.push(child);
  await waitFor("nginx listening", async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status > 0 ? true : undefined), 10_000, child.output);
  return { address: `127.0.0.1:${port}`, log };
}

/**
 * Two adapters with the given environments behind nginx, the central gateway in front; `calls` echo calls through
 * the central gateway. Returns how many succeeded and which adapters nginx sent requests to.
 */
async function runThroughReplicas(
  name: string,
  adapterEnvs: [Record<string, string>, Record<string, string>],
  calls: number,
  /** The revision the central gateway speaks to the adapters. @default the rendered config's (auto: 2026-07-28, stateless) */
  protocol?: "2025-11-25",
): Promise<{ ok: number; upstreams: Set<string> }> {
  const adapterConfig = parse(find("kubernetes:core/v1:ConfigMap", "mcp-everything-config").data["gateway.yaml"]) as Json;
  // The gateway image's working directory is /app, where node_modules lives; here it is the checkout.
  adapterConfig.servers[0].cwd = REPO_ROOT;
  const adapters = [await startGateway(`${name}-adapter-a`, adapterConfig, adapterEnvs[0]), await startGateway(`${name}-adapter-b`, adapterConfig, adapterEnvs[1])];
  const nginx = await startNginx(name, adapters.map((a) => new URL(a.url).host));

  const central = parse(find("kubernetes:core/v1:ConfigMap", "mcp-gateway-config").data["gateway.yaml"]) as Json;
  const path = new URL(central.servers[0].url).pathname;
  central.servers[0].url = `http://${nginx.address}${path}`;
  if (protocol !== undefined) central.servers[0].protocol = protocol;
  const gateway = await startGateway(`${name}-central`, central, containerEnv(find("kubernetes:apps/v1:Deployment", "mcp-gateway-deploy").spec.template.spec.containers[0]));

  // Until the central gateway has connected (or given up for now): a fair start for both cases, never asserted.
  await waitFor("the central gateway's first connection attempt", async () => {
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as { servers: { state: string }[] };
    return status.servers.every((s) => s.state !== "connecting") ? true : undefined;
  }, 20_000, gateway.child.output);
  const client = new Client({ name: "replicas-test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  let ok = 0;
  try {
    for (let i = 0; i < calls; i++) {
      try {
        const result = await client.callTool({ name: "everything__echo", arguments: { message: `call ${i}` } }, undefined, { timeout: 5_000 });
        if (JSON.stringify(result.content).includes(`call ${i}`)) ok += 1;
      } catch {
        // counted as a failure
      }
    }
  } finally {
    await client.close();
  }
  const upstreams = new Set(readFileSync(nginx.log, "utf8").split("\n").filter(Boolean).map((line) => line.split(" ")[0]!));
  return { ok, upstreams };
}

describe.skipIf(NGINX === undefined)("two adapter replicas behind a round-robin", () => {
  it("serve every call of the central gateway with the environment their Deployment renders", { timeout: 120_000 }, async () => {
    const env = containerEnv(find("kubernetes:apps/v1:Deployment", "mcp-everything-deploy").spec.template.spec.containers[0]);
    const { ok, upstreams } = await runThroughReplicas("rendered", [env, env], 30);
    expect(ok).toBe(30);
    expect(upstreams.size).toBe(2);
  });

  it("serve every call of a 2025 session between the gateways with the rendered environment (one sealing key)", { timeout: 120_000 }, async () => {
    const env = containerEnv(find("kubernetes:apps/v1:Deployment", "mcp-everything-deploy").spec.template.spec.containers[0]);
    const { ok, upstreams } = await runThroughReplicas("rendered-2025", [env, env], 30, "2025-11-25");
    expect(ok).toBe(30);
    expect(upstreams.size).toBe(2);
  });

  it("fail the central gateway's session when each replica seals with a key of its own", { timeout: 120_000 }, async () => {
    // A 2025 session between the gateways (by default they speak 2026-07-28, which has no session to seal).
    const env = containerEnv(find("kubernetes:apps/v1:Deployment", "mcp-everything-deploy").spec.template.spec.containers[0]);
    const { ok, upstreams } = await runThroughReplicas("own-keys", [{ ...env, MCP_FLEET_SESSION_SECRET: "a".repeat(64) }, { ...env, MCP_FLEET_SESSION_SECRET: "b".repeat(64) }], 30, "2025-11-25");
    expect(upstreams.size).toBe(2);
    expect(ok).toBeLessThan(30);
  });
});
