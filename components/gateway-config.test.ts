import { parseGatewayConfig, ConfigError } from "@mcp-fleet/gateway/config";
import { describe, expect, it } from "vitest";
import type { Catalog } from "../servers/catalog/catalog.js";
import { fleetModel } from "../servers/catalog/derive.js";
import { ServerSpecSchema, type ServerSpecInput } from "../servers/catalog/spec.js";
import { deployedGatewayConfig, localGatewayConfig, localSkips } from "./gateway-config.js";

const ROOT = "/repo";

function catalog(...specs: ServerSpecInput[]): Catalog {
  return { root: ROOT, servers: specs.map((s) => ({ spec: ServerSpecSchema.parse(s), file: `servers/${s.name}.ts` })) };
}

const base = { description: "test server", owner: "platform" } as const;
const memory: ServerSpecInput = {
  ...base,
  name: "memory",
  transport: { type: "stdio", command: "node", args: ["node_modules/x/dist/index.js"], env: { MEMORY_FILE_PATH: "servers/data/memory.jsonl" } },
  env: { LOG_LEVEL: "debug", MEMORY_FILE_PATH: "overridden-by-transport-env" },
  port: 3102,
  tools: { allow: ["read_*", "search_nodes"], deny: ["read_secret"] },
  timeoutMs: 5000,
  isolation: "session",
};
const remote: ServerSpecInput = { ...base, name: "remote", transport: { type: "http", url: "https://mcp.example.com/mcp" }, port: 3103 };
const legacy: ServerSpecInput = { ...base, name: "legacy", transport: { type: "sse", url: "http://127.0.0.1:3999/sse" }, port: 3104 };
const image: ServerSpecInput = { ...base, name: "imaged", transport: { type: "image", image: "ghcr.io/org/imaged:1.2.0", path: "/rpc" }, port: 3105 };
const github: ServerSpecInput = {
  ...base,
  name: "github",
  transport: { type: "stdio", command: "node", args: ["gh.js"] },
  port: 3106,
  secrets: ["GITHUB_TOKEN", "GITHUB_ORG"],
};

describe("localGatewayConfig", () => {
  it("gives a keyed local gateway whose server asks for credentials.identity a signing-key variable and its own issuer; an open one signs nothing", async () => {
    const who: ServerSpecInput = { ...memory, credentials: { identity: { type: "signed-header" } } };
    const auth = { mode: "apiKey" as const, apiKeys: [{ name: "local", sha256: "0".repeat(64), roles: [] }] };
    const keyed = localGatewayConfig(catalog(who), { env: {}, auth, port: 8123 });
    expect(keyed.identity).toEqual({ signingKeyEnv: "MCP_FLEET_IDENTITY_KEY", issuer: "http://127.0.0.1:8123/mcp" });
    expect(keyed.servers[0]!.credentials).toEqual({ identity: { type: "signed-header" } });
    expect(localGatewayConfig(catalog(who), { env: {} }).identity).toBeUndefined();
    expect(localGatewayConfig(catalog(memory), { env: {}, auth }).identity).toBeUndefined();
    const { ensureLocalIdentityKey } = await import("../cli/local-auth.js");
    const { loadSigningKeys } = await import("../gateway/src/identity/keys.js");
    const env: NodeJS.ProcessEnv = {};
    expect(ensureLocalIdentityKey(keyed, env)).toBe(true);
    expect(loadSigningKeys("MCP_FLEET_IDENTITY_KEY", env).map((k) => k.alg)).toEqual(["EdDSA"]);
    expect(ensureLocalIdentityKey(keyed, env)).toBe(false);
  });

  it("spawns stdio servers from the repository root with the spec's and the transport's env merged, and carries filters, timeout and isolation", () => {
    const config = localGatewayConfig(catalog(memory), { env: {} });
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 8080, path: "/mcp" });
    expect(config.servers).toEqual([
      {
        name: "memory",
        transport: "stdio",
        command: "node",
        args: ["node_modules/x/dist/index.js"],
        env: { LOG_LEVEL: "debug", MEMORY_FILE_PATH: "servers/data/memory.jsonl" },
        inheritEnv: [],
        cwd: ROOT,
        timeoutMs: 5000,
        isolation: "session",
        tools: { allow: ["read_*", "search_nodes"], deny: ["read_secret"] },
      },
    ]);
  });

  it("renders a pinned protocol (auto, the gateway's default, stays implicit), for local and deployed gateways alike", () => {
    const pinned = (protocol: "2025-11-25" | "2026-07-28"): ServerSpecInput => ({ ...remote, protocol });
    expect(localGatewayConfig(catalog(pinned("2026-07-28")), { env: {} }).servers[0]).toMatchObject({ name: "remote", protocol: "2026-07-28" });
    expect(localGatewayConfig(catalog({ ...legacy, protocol: "2025-11-25" }), { env: {} }).servers[0]).toMatchObject({ name: "legacy", transport: "sse", protocol: "2025-11-25" });
    expect("protocol" in localGatewayConfig(catalog(remote), { env: {} }).servers[0]!).toBe(false);
    const deployed = deployedGatewayConfig(fleetModel(catalog(pinned("2025-11-25")), { network: { kind: "docker" } }));
    expect(deployed.servers[0]).toMatchObject({ transport: "http", protocol: "2025-11-25" });
    expect(parseGatewayConfig(deployed).servers[0]!.protocol).toBe("2025-11-25");
  });

  it("reaches http and sse servers at their own URL, skips image servers, and honours the port", () => {
    const config = localGatewayConfig(catalog(remote, legacy, image), { env: {}, port: 9123 });
    expect(config.listen?.port).toBe(9123);
    expect(config.servers.map((s) => [s.name, s.transport, "url" in s ? s.url : undefined])).toEqual([
      ["remote", "http", "https://mcp.example.com/mcp"],
      ["legacy", "sse", "http://127.0.0.1:3999/sse"],
    ]);
    expect(localSkips(catalog(remote, legacy, image), {})).toEqual([
      {
        name: "imaged",
        file: "servers/imaged.ts",
        reason:
          "runs from container image ghcr.io/org/imaged:1.2.0, which only runs when deployed (local runs spawn stdio servers and reach http/sse servers).",
      },
    ]);
  });

  it("skips a server whose secrets are unset, naming them, and names them in inheritEnv (never their values) when they are set", () => {
    const fleet = catalog(memory, github);
    expect(localSkips(fleet, { GITHUB_TOKEN: "t" })).toEqual([
      {
        name: "github",
        file: "servers/github.ts",
        reason: "needs secret GITHUB_ORG, unset here. Export it before `npm start` to run it locally.",
      },
    ]);
    expect(localSkips(fleet, {})[0]?.reason).toBe("needs secrets GITHUB_TOKEN, GITHUB_ORG, unset here. Export them before `npm start` to run it locally.");
    expect(localGatewayConfig(fleet, { env: { GITHUB_TOKEN: "t" } }).servers.map((s) => s.name)).toEqual(["memory"]);

    const withSecrets = localGatewayConfig(fleet, { env: { GITHUB_TOKEN: "t0k", GITHUB_ORG: "acme" } });
    const gh = withSecrets.servers.find((s) => s.name === "github");
    expect(gh && "inheritEnv" in gh ? [gh.env, gh.inheritEnv] : undefined).toEqual([{}, ["GITHUB_TOKEN", "GITHUB_ORG"]]);
    const rendered = JSON.stringify(withSecrets);
    expect([rendered.includes("t0k"), rendered.includes("acme")]).toEqual([false, false]);
  });

  it("skips a stdio server whose command is not on PATH (or not at its path), naming the server, the command and the fix", () => {
    const ghost: ServerSpecInput = { ...base, name: "ghost", transport: { type: "stdio", command: "mcp-fleet-no-such-command" }, port: 3107 };
    const local: ServerSpecInput = { ...base, name: "local", transport: { type: "stdio", command: "./bin/server" }, port: 3108 };
    expect(localSkips(catalog(memory, ghost, local), {}, process.env.PATH)).toEqual([
      {
        name: "ghost",
        file: "servers/ghost.ts",
        reason: 'its command "mcp-fleet-no-such-command" is not on PATH, so server "ghost" cannot start. Install it (or put it on PATH), or set `transport.command` in servers/ghost.ts to a command that is.',
      },
      {
        name: "local",
        file: "servers/local.ts",
        reason: 'its command "./bin/server" does not exist or is not executable, so server "local" cannot start. Install it (or put it on PATH), or set `transport.command` in servers/local.ts to a command that is.',
      },
    ]);
    expect(localGatewayConfig(catalog(memory, ghost), { env: {} }).servers.map((s) => s.name)).toEqual(["memory"]);
  });

  it("refuses a catalog of which no server can run locally, saying which were skipped and why", () => {
    expect(() => localGatewayConfig(catalog(image), { env: {} })).toThrow(
      "No server of the catalog can run in the local gateway config. Skipped: imaged (servers/imaged.ts) runs from container image ghcr.io/org/imaged:1.2.0, which only runs when deployed (local runs spawn stdio servers and reach http/sse servers). Add a server under servers/ (`mcp-fleet new`).",
    );
  });
});

describe("deployedGatewayConfig", () => {
  it("reaches every server over Streamable HTTP at its headless Service (an endpoint per pod, DNS discovery); image servers at their own path, the others behind the passthrough adapter", () => {
    const config = deployedGatewayConfig(fleetModel(catalog(memory, remote, legacy, image, github), { network: { kind: "cluster", namespace: "mcp-prod" } }));
    expect(config.listen).toEqual({ host: "0.0.0.0", port: 8080, path: "/mcp" });
    expect(config.servers.map((s) => [s.name, s.transport, "url" in s ? s.url : undefined])).toEqual([
      ["memory", "http", "http://mcp-memory-headless.mcp-prod.svc.cluster.local:3102/mcp"],
      ["remote", "http", "http://mcp-remote-headless.mcp-prod.svc.cluster.local:3103/mcp"],
      ["legacy", "http", "http://mcp-legacy-headless.mcp-prod.svc.cluster.local:3104/mcp"],
      ["imaged", "http", "http://mcp-imaged-headless.mcp-prod.svc.cluster.local:3105/rpc"],
      ["github", "http", "http://mcp-github-headless.mcp-prod.svc.cluster.local:3106/mcp"],
    ]);
    // Filters, timeouts and isolation travel with the server; secrets stay in the server's pod.
    expect(config.servers.every((s) => "dns" in s && s.dns !== undefined)).toBe(true);
    expect(config.servers[0]).toMatchObject({ timeoutMs: 5000, isolation: "session", tools: { allow: ["read_*", "search_nodes"], deny: ["read_secret"] } });
    expect(JSON.stringify(config)).not.toContain("GITHUB_TOKEN");
  });

  it("speaks to an adapter the revision it passes through untranslated: 2025-11-25 for an auto server, the pinned one otherwise; auto to a server that runs its own image", () => {
    const config = deployedGatewayConfig(fleetModel(catalog(memory, { ...remote, protocol: "2026-07-28" }, { ...legacy, protocol: "2025-11-25" }, image), { network: { kind: "cluster", namespace: "mcp-prod" } }));
    const protocolOf = (name: string) => config.servers.find((s) => s.name === name)?.protocol;
    expect(protocolOf("memory")).toBe("2025-11-25");
    expect(protocolOf("remote")).toBe("2026-07-28");
    expect(protocolOf("legacy")).toBe("2025-11-25");
    expect(protocolOf("imaged")).toBeUndefined();
  });

  it("pipelines toward an adapter (our own gateway), never toward a server that runs its own image", () => {
    const config = deployedGatewayConfig(fleetModel(catalog(memory, image), { network: { kind: "cluster", namespace: "mcp-prod" } }));
    const pipeliningOf = (name: string) => {
      const server = parseGatewayConfig(config).servers.find((s) => s.name === name);
      return server !== undefined && "pipelining" in server ? server.pipelining : undefined;
    };
    expect(pipeliningOf("memory")).toBe(true);
    expect(pipeliningOf("imaged")).toBe(false);
  });

  it("reaches each server at the URL of the fleet model: the prefixed headless Service name, or the Docker alias", () => {
    const url = (network: Parameters<typeof fleetModel>[1]["network"]) => {
      const config = deployedGatewayConfig(fleetModel(catalog(memory, image), { prefix: "tools", network }));
      return config.servers.map((s) => ("url" in s ? s.url : undefined));
    };
    expect(url({ kind: "cluster", namespace: "ns" })).toEqual(["http://tools-memory-headless.ns.svc.cluster.local:3102/mcp", "http://tools-imaged-headless.ns.svc.cluster.local:3105/rpc"]);
    expect(url({ kind: "docker" })).toEqual(["http://tools-memory:3102/mcp", "http://tools-imaged:3105/rpc"]);
  });
});

describe("gateway configs, validated by the gateway's own schema", () => {
  it("returns a config the gateway accepts", () => {
    const parsed = parseGatewayConfig(localGatewayConfig(catalog(memory, remote, legacy), { env: {} }));
    expect(parsed.servers.map((s) => s.name)).toEqual(["memory", "remote", "legacy"]);
    expect(parsed.naming).toEqual({ separator: "__", passthrough: false });
  });

  it("fails on a spec value the gateway does not accept, naming the field", () => {
    // The catalog allows any positive timeout; the gateway caps it at one hour.
    const slow = { ...remote, timeoutMs: 7_200_000 };
    let error: unknown;
    try {
      localGatewayConfig(catalog(slow), { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(["servers[0].timeoutMs: Too big: expected number to be <=3600000"]);
  });
});
