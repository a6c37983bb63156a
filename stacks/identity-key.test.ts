/**
 * The key that signs callers' identity tokens, through the real stack program under Pulumi's mocks: a server that
 * asks for `credentials.identity` on a stack with auth makes the gateway config name the variable, the gateway's
 * Secret hold the key (masked) and its container read it by secretKeyRef; its value is nowhere else. A stack without
 * the secret is refused with the command that sets it.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SECRET_MASK, runUnderMocks } from "../components/plan/run-under-mocks.js";
import { KNOWN_SECRET, catalogOf, find, mixedSpecs, type Json } from "../components/testing/fixtures.js";
import { findRepoRoot } from "../servers/catalog/catalog.js";
import { readStackFile } from "./plan-stack.js";

const root = findRepoRoot();
const PEM = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const MARK = PEM.split("\n")[1]!;

const EXCHANGE_SECRET = "exchange-client-secret-0123456789";

function catalog() {
  const specs = mixedSpecs();
  specs[0] = { ...specs[0]!, spec: { ...specs[0]!.spec, credentials: { identity: { type: "signed-header" } } } };
  // The legacy SSE server sees OAuth callers through a token exchange with the gateway's client secret.
  specs[2] = { ...specs[2]!, spec: { ...specs[2]!.spec, credentials: { identity: { type: "token-exchange", tokenEndpoint: "https://idp.example.com/token", clientId: "mcp-gateway", clientSecretEnv: "LEGACY_EXCHANGE_SECRET" } } } };
  return catalogOf(specs, root);
}

async function planStaging(extra: Record<string, string>, stack = "staging") {
  const file = readStackFile(root, stack);
  const secrets: Record<string, string> = { "mcp-fleet:sessionSecret": KNOWN_SECRET, "mcp-fleet:apiKeyHashes": JSON.stringify({ "ci-bot": "b".repeat(64) }), ...extra };
  const { stackProgram } = await import("./program.js");
  // The offline plan's stand-in key goes: this is the program as `pulumi up` runs it, with only the secrets given.
  const config: Record<string, string> = { ...file.config, ...secrets };
  for (const key of ["mcp-fleet:identitySigningKey", "mcp-fleet:tokenExchangeSecrets"]) if (!(key in extra)) delete config[key];
  return runUnderMocks({ stack, config, secretKeys: [...file.secretKeys, ...Object.keys(secrets)], program: () => stackProgram({ root, catalog: catalog() }) });
}

describe("the identity signing key of a stack", () => {
  // First: Pulumi's config store keeps what a run set, so the run without the key goes before the one with it.
  it("is required when a server asks for credentials.identity, with the command that sets it", async () => {
    await expect(planStaging({})).rejects.toThrow(
      '`mcp-fleet:identitySigningKey` is required: "github" asks for credentials.identity, and the gateway signs those tokens. Set it with `openssl genpkey -algorithm ed25519 | pulumi config set --secret mcp-fleet:identitySigningKey`.',
    );
  });
  it("reaches the gateway only as a secretKeyRef; the config names the variable, the Secret is masked", async () => {
    const { resources } = await planStaging({ "mcp-fleet:identitySigningKey": PEM });
    const config = parse((find(resources, "kubernetes:core/v1:ConfigMap", "mcp-gateway-config").inputs as Json).data["gateway.yaml"]);
    expect(config.identity).toEqual({ signingKeyEnv: "MCP_FLEET_IDENTITY_KEY" });
    expect(config.servers.find((s: Json) => s.name === "github").credentials.identity).toEqual({ type: "signed-header" });
    const container = (find(resources, "kubernetes:apps/v1:Deployment", "mcp-gateway-deploy").inputs as Json).spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: "MCP_FLEET_IDENTITY_KEY", valueFrom: { secretKeyRef: { name: "mcp-gateway-keys", key: "MCP_FLEET_IDENTITY_KEY" } } });
    expect((find(resources, "kubernetes:core/v1:Secret", "mcp-gateway-secret").inputs as Json).stringData).toBe(SECRET_MASK);
    expect(JSON.stringify(resources.map((r) => r.inputs)).includes(MARK)).toBe(false);
    // The server's adapter relays the central gateway's token to its stdio server; it needs no key of its own.
    const adapters = resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").map((r) => parse(((r.inputs as Json).data ?? {})["gateway.yaml"] ?? "null")).filter((c) => c?.naming?.passthrough === true);
    const github = adapters.find((c) => c.servers[0].name === "github");
    expect({ identity: github.identity, credentials: github.servers[0].credentials }).toEqual({ identity: undefined, credentials: { identity: { type: "signed-header", relay: true } } });
  });


  describe("with OAuth callers and a token-exchange server", () => {
    const oauth = { "mcp-fleet:auth": JSON.stringify({ mode: "oauth", oauth: { issuer: "https://idp.example.com/" }, apiKeys: [{ name: "ci-bot", roles: ["engineering"] }] }), "mcp-fleet:identitySigningKey": PEM };

    it("requires the exchange's client secret, with the command that sets it", async () => {
      await expect(planStaging(oauth)).rejects.toThrow(
        "`mcp-fleet:tokenExchangeSecrets.LEGACY_EXCHANGE_SECRET` is required: a server exchanges callers' tokens with clientSecretEnv LEGACY_EXCHANGE_SECRET. Set it with `pulumi config set --secret --path 'mcp-fleet:tokenExchangeSecrets.LEGACY_EXCHANGE_SECRET' \"$CLIENT_SECRET\"`.",
      );
    });

    it("hands the client secret to the gateway by secretKeyRef only", async () => {
      const { resources } = await planStaging({ ...oauth, "mcp-fleet:tokenExchangeSecrets": JSON.stringify({ LEGACY_EXCHANGE_SECRET: EXCHANGE_SECRET }) });
      const config = parse((find(resources, "kubernetes:core/v1:ConfigMap", "mcp-gateway-config").inputs as Json).data["gateway.yaml"]);
      // Toward the server's adapter, whose Authorization is the adapter's key, the exchanged token has a header of its own.
      expect(config.servers.find((s: Json) => s.name === "legacy").credentials.identity).toEqual({ type: "token-exchange", tokenEndpoint: "https://idp.example.com/token", clientId: "mcp-gateway", clientSecretEnv: "LEGACY_EXCHANGE_SECRET", header: "X-MCP-Fleet-Exchanged-Token" });
      const container = (find(resources, "kubernetes:apps/v1:Deployment", "mcp-gateway-deploy").inputs as Json).spec.template.spec.containers[0];
      expect(container.env).toContainEqual({ name: "LEGACY_EXCHANGE_SECRET", valueFrom: { secretKeyRef: { name: "mcp-gateway-keys", key: "LEGACY_EXCHANGE_SECRET" } } });
      expect(JSON.stringify(resources.map((r) => r.inputs)).includes(EXCHANGE_SECRET)).toBe(false);
    });
  });

  it("in prod, goes to Secrets Manager with the gateway's other secrets and reaches its Secret through its ExternalSecret", async () => {
    const { resources } = await planStaging({ "mcp-fleet:identitySigningKey": PEM, "mcp-fleet:tokenExchangeSecrets": JSON.stringify({ LEGACY_EXCHANGE_SECRET: EXCHANGE_SECRET }), "mcp-fleet:redisUrl": "rediss://r.example.com:6380" }, "prod");
    const external = resources.filter((r) => r.type.includes("ExternalSecret") && JSON.stringify(r.inputs).includes("mcp-gateway-keys"));
    expect(external).toHaveLength(1);
    const synced = JSON.stringify(external[0]!.inputs);
    for (const key of ["MCP_FLEET_IDENTITY_KEY", "LEGACY_EXCHANGE_SECRET"]) expect(synced).toContain(key);
    const everything = JSON.stringify(resources.map((r) => r.inputs));
    expect(everything.includes(MARK) || everything.includes(EXCHANGE_SECRET)).toBe(false);
  });
});
