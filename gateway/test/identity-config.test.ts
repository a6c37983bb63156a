/** `credentials.identity` and `identity:` in the gateway config, and the signing keys the gateway accepts. */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseGatewayConfig, type GatewayConfigInput } from "../src/config.js";
import { loadSigningKeys } from "../src/identity/keys.js";

const KEY = "0".repeat(64);
const remote = { name: "remote", transport: "http" as const, url: "http://127.0.0.1:9/mcp", credentials: { identity: { type: "signed-header" as const } } };

function problems(config: Omit<GatewayConfigInput, "listen">): readonly string[] {
  try {
    parseGatewayConfig({ listen: { host: "127.0.0.1", port: 0 }, ...config });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("identity config", () => {
  const apiKey = { mode: "apiKey" as const, resource: "https://mcp.example.com/mcp", apiKeys: [{ name: "ci", sha256: KEY }] };

  it("refuses a signed header with auth on and no signing key, naming the server and the fix", () => {
    expect(problems({ auth: apiKey, servers: [remote] })).toEqual([
      'identity.signingKeyEnv: is required: servers[0] ("remote") has credentials.identity signed-header, and the gateway signs those tokens. Set identity.signingKeyEnv to the environment variable holding its private key (an Ed25519 or P-256 JWK, or a PKCS#8 PEM), e.g. MCP_FLEET_IDENTITY_KEY.',
    ]);
  });

  it("needs no key without auth (nothing to sign), nor for a server whose token it relays (an adapter)", () => {
    expect(problems({ servers: [remote] })).toEqual([]);
    expect(problems({ auth: { ...apiKey, resource: undefined }, servers: [{ ...remote, credentials: { identity: { type: "signed-header", relay: true } } }] })).toEqual([]);
  });

  it("refuses an issuer-less gateway (no auth.resource, no identity.issuer)", () => {
    expect(problems({ auth: { ...apiKey, resource: undefined }, identity: { signingKeyEnv: "K" }, servers: [remote] })).toEqual([
      "identity.issuer: is required when auth.resource is unset: it is the `iss` of the identity tokens backends verify. Set auth.resource (or identity.issuer) to the URL clients connect to, e.g. https://mcp.example.com/mcp.",
    ]);
  });

  it("refuses an identity header that another header of the server already sets", () => {
    expect(problems({ servers: [{ ...remote, credentials: { headers: { "x-mcp-fleet-identity": "${T}" }, identity: { type: "signed-header" } } }] })).toEqual([
      'servers[0].credentials.identity.header: "X-MCP-Fleet-Identity" is also set by credentials.headers. Give the identity token a header of its own (default X-MCP-Fleet-Identity).',
    ]);
  });

  it("refuses a header the gateway writes itself, a secret variable that is not a name, a long ttl and an unknown type", () => {
    expect(problems({ identity: { signingKeyEnv: "not a name" }, servers: [{ ...remote, credentials: { identity: { type: "signed-header", header: "Mcp-Session-Id", ttlSeconds: 86_400 } } }] })).toEqual([
      "identity.signingKeyEnv: must be an environment variable name such as MCP_FLEET_IDENTITY_KEY",
      "servers[0].credentials.identity.header: is a header the gateway writes itself; pick another name such as X-MCP-Fleet-Identity",
      "servers[0].credentials.identity.ttlSeconds: must be at most 3600 seconds: the token is a bearer credential",
    ]);
    expect(problems({ servers: [{ ...remote, credentials: { identity: { type: "passthrough" } } }] as never })).toEqual([
      'servers[0].credentials.identity.type: must be { type: "signed-header" } (a JWT the gateway signs for each caller) or { type: "token-exchange", ... } (RFC 8693)',
    ]);
  });

  it("refuses token exchange toward a stdio server or at a plain-http endpoint; an Authorization template beside it is the gateway's own", () => {
    const exchange = { type: "token-exchange" as const, tokenEndpoint: "https://idp.example.com/token", clientId: "gw", clientSecretEnv: "SECRET" };
    expect(problems({ auth: apiKey, servers: [{ ...remote, credentials: { headers: { Authorization: "Bearer ${T}" }, identity: exchange } }] })).toEqual([]);
    expect(problems({ auth: { mode: "none", trustedNetwork: true }, servers: [{ name: "local", transport: "stdio", command: "node", credentials: { identity: exchange } }] })).toEqual([
      'servers[0].credentials.identity.type: "token-exchange" sends the exchanged token as an Authorization header; a stdio server has none. Use { type: "signed-header" } (the token goes in _meta).',
    ]);
    expect(problems({ servers: [{ ...remote, credentials: { identity: { ...exchange, tokenEndpoint: "http://idp.example.com/token" } } }] })).toEqual([
      "servers[0].credentials.identity.tokenEndpoint: must be an https:// URL (http:// only on a loopback host such as 127.0.0.1)",
    ]);
  });

  it("refuses headers on a stdio server", () => {
    expect(problems({ servers: [{ name: "local", transport: "stdio", command: "node", credentials: { headers: { authorization: "Bearer ${T}" } } }] })).toEqual([
      "servers[0].credentials.headers: a stdio server has no HTTP requests to carry headers. Remove credentials.headers; pass its secrets with inheritEnv.",
    ]);
  });
});

describe("signing keys", () => {
  const ed = () => generateKeyPairSync("ed25519").privateKey;

  it("reads a PKCS#8 PEM of a P-256 key as ES256", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const [key] = loadSigningKeys("K", { K: pem });
    expect({ alg: key!.alg, kty: key!.publicJwk.kty, crv: key!.publicJwk.crv, d: (key!.publicJwk as Record<string, string | undefined>).d }).toEqual({ alg: "ES256", kty: "EC", crv: "P-256", d: undefined });
  });

  it("reads a JWK Set: the first key signs, every key is published, a JWK's own kid is kept", () => {
    const keys = loadSigningKeys("K", { K: JSON.stringify({ keys: [{ ...ed().export({ format: "jwk" }), kid: "new" }, { ...ed().export({ format: "jwk" }), kid: "old" }] }) });
    expect(keys.map((k) => k.kid)).toEqual(["new", "old"]);
  });

  it("refuses an unset variable, a public key, an RSA key and garbage, naming the variable and never the value", () => {
    const pub = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => loadSigningKeys("K", {})).toThrow("identity.signingKeyEnv names K, which is unset. Set it to the gateway's private signing key (an Ed25519 or P-256 JWK, or a PKCS#8 PEM).");
    expect(() => loadSigningKeys("K", { K: JSON.stringify(pub) })).toThrow('identity.signingKeyEnv: K is not a private JWK (it needs "d"). Set it to an Ed25519 or P-256 private JWK.');
    expect(() => loadSigningKeys("K", { K: rsa })).toThrow("identity.signingKeyEnv: K is a key of type RSA. Use an Ed25519 (EdDSA) or P-256 (ES256) key, e.g. `openssl genpkey -algorithm ed25519`.");
    expect(() => loadSigningKeys("K", { K: "secret-value" })).toThrow("identity.signingKeyEnv: K is neither a PEM key nor JSON. Set it to a private JWK, a JWK Set, or a PKCS#8 PEM.");
  });
});
