/**
 * Adapters authenticate the central gateway. Under Pulumi's mocks the Fleet renders, for a stdio server behind its
 * adapter: the adapter's config (`auth.mode: apiKey`, hashes from `MCP_FLEET_API_KEYS`), its Deployment reading that
 * variable from its own Secret, and the central gateway's config sending `Authorization: Bearer
 * ${MCP_FLEET_ADAPTER_KEY_EVERYTHING}`, a variable its Deployment reads from the gateway's Secret. Then for real:
 * the gateway bin as that adapter on 127.0.0.1 in front of server-everything over stdio, and as the central gateway
 * in front of it, each with the config and environment its manifests give it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, freePort, REPO_ROOT, startChild, waitFor } from "../../monitoring/testing/processes.js";
import {
  KNOWN_SECRET,
  catalogOf,
  clusterFleet,
  containerEnvOf,
  unwrapSecrets,
  type Json,
} from "../testing/fixtures.js";
import { adapterApiKey } from "../gateway-secrets.js";

const EVERYTHING = {
  name: "everything",
  description: "server-everything over stdio",
  owner: "platform",
  transport: {
    type: "stdio" as const,
    command: "node",
    args: ["node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"],
  },
  port: 3101,
};

const registered: { type: string; name: string; inputs: Json }[] = [];
const masked: { type: string; name: string; inputs: unknown }[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => (
        registered.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) }),
        masked.push({ type: args.type, name: args.name, inputs: args.inputs }),
        { id: `${args.name}-id`, state: {} }
      ),
      call: (args) => args.inputs,
    },
    "mcp-fleet",
    "staging",
    false,
  );
  const { Fleet } = await import("./fleet.js");
  const fleet = new Fleet("mcp", {
    fleet: clusterFleet(catalogOf([{ file: "servers/everything.ts", spec: EVERYTHING }], REPO_ROOT), "tools"),
    gatewayImage: "ghcr.io/acme/mcp-fleet-gateway:0.3.0",
    gatewaySecrets: { MCP_FLEET_SESSION_SECRET: pulumi.secret(KNOWN_SECRET) },
  });
  const urns = [
    fleet.urn,
    ...Object.values(fleet.gateway.resources).map((r) => r.urn),
    ...Object.values(fleet.servers).flatMap((s) => Object.values(s.resources).map((r) => r.urn)),
  ];
  await Promise.race([
    new Promise((resolve) => pulumi.all(urns).apply(resolve)),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error("the Fleet's resources did not register within 20 s")), 20_000),
    ),
  ]);
});

const find = (type: string, name: string): Json => {
  const r = registered.find((x) => x.type === type && x.name === name);
  if (r === undefined)
    throw new Error(`no ${type} ${name}; have ${registered.map((x) => `${x.type} ${x.name}`).join(", ")}`);
  return r.inputs;
};
const containerOf = (deploy: string): Json =>
  find("kubernetes:apps/v1:Deployment", deploy).spec.template.spec.containers[0];
const KEY = () => adapterApiKey(KNOWN_SECRET, "everything");

describe("adapter authentication under Pulumi mocks", () => {
  it("gives the adapter the hash of the gateway's key from its own Secret, by reference", () => {
    expect(containerOf("mcp-everything-deploy").env).toContainEqual({
      name: "MCP_FLEET_API_KEYS",
      valueFrom: { secretKeyRef: { name: "mcp-everything-session", key: "MCP_FLEET_API_KEYS" } },
    });
    const config = parse(find("kubernetes:core/v1:ConfigMap", "mcp-everything-config").data["gateway.yaml"]);
    expect(config.auth).toEqual({ mode: "apiKey", apiKeysFromEnv: "MCP_FLEET_API_KEYS" });
    const hashes = JSON.parse(
      find("kubernetes:core/v1:Secret", "mcp-everything-session").stringData.MCP_FLEET_API_KEYS,
    ) as { name: string; sha256: string; roles: string[] }[];
    expect(hashes.map((h) => [h.name, h.roles])).toEqual([["mcp-fleet-gateway", ["mcp-fleet-gateway"]]]);
    // A hash, not the key: the server in the adapter's pod can read that environment.
    expect(JSON.stringify(hashes)).not.toContain(KEY());
  });

  it("gives the central gateway its key by secretKeyRef and names only the variable in its config", () => {
    expect(containerOf("mcp-gateway-deploy").env).toContainEqual({
      name: "MCP_FLEET_ADAPTER_KEY_EVERYTHING",
      valueFrom: { secretKeyRef: { name: "mcp-gateway-keys", key: "MCP_FLEET_ADAPTER_KEY_EVERYTHING" } },
    });
    expect(find("kubernetes:core/v1:Secret", "mcp-gateway-secret").stringData.MCP_FLEET_ADAPTER_KEY_EVERYTHING).toBe(
      KEY(),
    );
    const config = parse(find("kubernetes:core/v1:ConfigMap", "mcp-gateway-config").data["gateway.yaml"]);
    expect(config.servers[0].credentials).toEqual({
      headers: { Authorization: "Bearer ${MCP_FLEET_ADAPTER_KEY_EVERYTHING}" },
    });
  });

  it("marks both Secrets secret: the key is in no registered input as Pulumi reports them", () => {
    const text = JSON.stringify(
      masked.map((r) => ({
        ...r,
        inputs: JSON.parse(
          JSON.stringify(r.inputs, (_k, v: unknown) =>
            v !== null &&
            typeof v === "object" &&
            (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
              ? "[secret]"
              : v,
          ),
        ),
      })),
    );
    expect(text).not.toContain(KEY());
    expect(text).not.toContain(KNOWN_SECRET);
    for (const name of ["mcp-gateway-secret", "mcp-everything-session"]) {
      const secret = masked.find((r) => r.name === name)!.inputs as Record<string, unknown>;
      expect((secret.stringData as Record<string, unknown>)[pulumi.runtime.specialSigKey]).toBe(
        pulumi.runtime.specialSecretSig,
      );
    }
  });
});

const work = mkdtempSync(join(tmpdir(), "mcp-fleet-adapter-auth-"));
const children: Child[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  rmSync(work, { recursive: true, force: true });
});

async function startGateway(name: string, config: Json, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const file = join(work, `${name}.yaml`);
  // Debug logs: the most a gateway ever writes, checked for the key below.
  writeFileSync(file, stringify({ ...config, listen: { ...config.listen, host: "127.0.0.1", port }, logging: { level: "debug" } }));
  const child = startChild(process.execPath, [join(REPO_ROOT, "gateway/bin/mcp-fleet-gateway.js"), "--config", file], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    `gateway ${name} listening`,
    async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
    30_000,
    child.output,
  );
  return base;
}

const initialize = (headers: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
  body: JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  }),
});

describe("an adapter with the rendered config and environment, for real", () => {
  let adapter: string;
  let central: string;
  beforeAll(async () => {
    const adapterConfig = parse(
      find("kubernetes:core/v1:ConfigMap", "mcp-everything-config").data["gateway.yaml"],
    ) as Json;
    // The gateway image's working directory is /app, where node_modules lives; here it is the checkout.
    adapterConfig.servers[0].cwd = REPO_ROOT;
    adapter = await startGateway(
      "adapter",
      adapterConfig,
      containerEnvOf(registered, containerOf("mcp-everything-deploy")),
    );
    const centralConfig = parse(
      find("kubernetes:core/v1:ConfigMap", "mcp-gateway-config").data["gateway.yaml"],
    ) as Json;
    centralConfig.servers[0].url = `${adapter}${new URL(centralConfig.servers[0].url).pathname}`;
    delete centralConfig.servers[0].dns;
    central = await startGateway(
      "central",
      centralConfig,
      containerEnvOf(registered, containerOf("mcp-gateway-deploy")),
    );
  }, 90_000);

  it("serves a call of the central gateway, which sends its key", { timeout: 60_000 }, async () => {
    const client = new Client({ name: "adapter-auth-test", version: "0.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${central}/mcp`)));
    try {
      const result = await client.callTool({ name: "everything__echo", arguments: { message: "through the adapter" } });
      expect(JSON.stringify(result.content)).toContain("through the adapter");
    } finally {
      await client.close();
    }
  });

  it("answers 401 to a request without the key, and to one with another key", async () => {
    expect((await fetch(`${adapter}/mcp`, initialize({}))).status).toBe(401);
    expect(
      (await fetch(`${adapter}/mcp`, initialize({ authorization: `Bearer ${adapterApiKey(KNOWN_SECRET, "other")}` })))
        .status,
    ).toBe(401);
    expect((await fetch(`${adapter}/mcp`, initialize({ authorization: `Bearer ${KEY()}` }))).status).toBe(200);
  });

  it("writes the key to neither gateway's output, at debug level, after those requests", () => {
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child.output()).not.toBe("");
      expect(child.output()).not.toContain(KEY());
    }
  });

  it("keeps its probes and metrics open to the kubelet and Prometheus", async () => {
    expect((await fetch(`${adapter}/healthz`)).status).toBe(200);
    expect((await fetch(`${adapter}/readyz`)).status).toBe(200);
    expect((await fetch(`${adapter}/metrics`)).status).toBe(200);
  });
});
