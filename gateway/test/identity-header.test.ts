/**
 * A backend that must see the caller (`credentials.identity: signed-header`): each call carries a JWT the gateway
 * signs for its caller, which a real MCP server verifies with jose against the gateway's JWKS URL; the client's own
 * credential never reaches it; a server that asks for nothing gets nothing; a stdio server gets the token in `_meta`.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { serveModernHttp } from "./fixtures/modern-server.js";
import { FIXTURE } from "./helpers.js";

const RESOURCE = "https://mcp.example.com/mcp";
const KEYS = { alice: "alice-key-0123456789abcdef", bob: "bob-key-0123456789abcdef" };
const sha = (key: string) => createHash("sha256").update(key).digest("hex");

/** A stateless Streamable HTTP server; its `whoami` verifies the identity header against `jwksUrl()` and answers the verified claims. */
function identityBackend(name: string, seen: IncomingHttpHeaders[], jwksUrl: () => URL): Server {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  return createServer((req, res) => {
    seen.push(req.headers);
    const mcp = new McpServer({ name, version: "1" });
    mcp.registerTool("whoami", { description: "The verified caller" }, async () => {
      const token = req.headers["x-mcp-fleet-identity"];
      if (typeof token !== "string") return { content: [{ type: "text", text: "anonymous" }] };
      jwks ??= createRemoteJWKSet(jwksUrl());
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: RESOURCE, audience: name, algorithms: ["EdDSA"] });
      return { content: [{ type: "text", text: JSON.stringify({ alg: protectedHeader.alg, sub: payload.sub, roles: payload.roles, key_name: payload.key_name, ttl: payload.exp! - payload.iat! }) }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

async function client(url: string, key: string): Promise<Client> {
  const c = new Client({ name: "identity-test", version: "1" });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return c;
}

const textOf = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]!.text);

describe("signed identity header toward backends", () => {
  const seenWith: IncomingHttpHeaders[] = [];
  const seenWithout: IncomingHttpHeaders[] = [];
  const logLines: string[] = [];
  let withIdentity: Server;
  let withoutIdentity: Server;
  let gw: RunningGateway;
  let alice: Client;
  let bob: Client;
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    process.env.TEST_IDENTITY_KEY = JSON.stringify(privateKey.export({ format: "jwk" }));
    const jwksUrl = () => new URL("/.well-known/jwks.json", gw.url);
    withIdentity = identityBackend("remote", seenWith, jwksUrl);
    withoutIdentity = identityBackend("plain", seenWithout, jwksUrl);
    const [remoteUrl, plainUrl] = [await listen(withIdentity), await listen(withoutIdentity)];
    const access = [{ roles: ["support", "billing"], tools: ["*"] }];
    const config = parseGatewayConfig({
      listen: { host: "127.0.0.1", port: 0 },
      auth: { mode: "apiKey", resource: RESOURCE, apiKeys: [{ name: "alice", sha256: sha(KEYS.alice), roles: ["support"] }, { name: "bob", sha256: sha(KEYS.bob), roles: ["billing"], scopes: ["refunds"] }] },
      identity: { signingKeyEnv: "TEST_IDENTITY_KEY" },
      servers: [
        { name: "remote", transport: "http", url: remoteUrl, credentials: { identity: { type: "signed-header", ttlSeconds: 120 } }, access },
        { name: "plain", transport: "http", url: plainUrl, access },
        { name: "local", transport: "stdio", command: process.execPath, args: ["--import", "tsx", FIXTURE], credentials: { identity: { type: "signed-header" } }, access },
      ],
    });
    // Every log line, at debug: none may hold a token or a key.
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString("utf8")), done()) });
    gw = await startGateway(config, { logger: pino({ level: "debug" }, sink), sessionSecret: "test-secret" });
    [alice, bob] = await Promise.all([client(gw.url, KEYS.alice), client(gw.url, KEYS.bob)]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await gw?.close();
    for (const s of [withIdentity, withoutIdentity]) {
      s?.closeAllConnections();
      s?.close();
    }
    delete process.env.TEST_IDENTITY_KEY;
  });

  it("gives each of two callers its own verified identity (sub, roles, key name) at once", async () => {
    const [a, b] = await Promise.all([alice.callTool({ name: "remote__whoami", arguments: {} }), bob.callTool({ name: "remote__whoami", arguments: {} })]);
    expect(JSON.parse(textOf(a))).toEqual({ alg: "EdDSA", sub: "apikey:alice", roles: ["support"], key_name: "alice", ttl: 120 });
    expect(JSON.parse(textOf(b))).toEqual({ alg: "EdDSA", sub: "apikey:bob", roles: ["billing"], key_name: "bob", ttl: 120 });
  });

  it("reuses a caller's token for its next calls instead of signing per call", async () => {
    await alice.callTool({ name: "remote__whoami", arguments: {} });
    await alice.callTool({ name: "remote__whoami", arguments: {} });
    const tokens = new Set(seenWith.map((h) => h["x-mcp-fleet-identity"]).filter((t): t is string => typeof t === "string" && decodeJwt(t).sub === "apikey:alice"));
    expect(tokens.size).toBe(1);
  });

  it("never sends the client's own key to either backend", () => {
    expect(seenWith.length).toBeGreaterThan(0);
    for (const headers of [...seenWith, ...seenWithout]) {
      expect(headers.authorization).toBeUndefined();
      const all = JSON.stringify(headers);
      expect(all.includes(KEYS.alice) || all.includes(KEYS.bob)).toBe(false);
    }
  });

  it("sends no identity header to a backend that does not ask for one", async () => {
    expect(textOf(await alice.callTool({ name: "plain__whoami", arguments: {} }))).toBe("anonymous");
    expect(seenWithout.some((h) => h["x-mcp-fleet-identity"] !== undefined)).toBe(false);
  });

  it("puts the token in a stdio request's _meta, with the claims of the caller and the server as audience", async () => {
    const meta = JSON.parse(textOf(await bob.callTool({ name: "local__meta", arguments: {} }))) as Record<string, unknown>;
    const token = meta["io.mcp-fleet/identity"];
    expect(typeof token).toBe("string");
    const { payload } = await jwtVerify(token as string, createRemoteJWKSet(new URL("/.well-known/jwks.json", gw.url)), { issuer: RESOURCE, audience: "local" });
    expect({ sub: payload.sub, roles: payload.roles, scope: payload.scope }).toEqual({ sub: "apikey:bob", roles: ["billing"], scope: "refunds" });
  });

  it("serves only public keys at /.well-known/jwks.json", async () => {
    const jwks = (await (await fetch(new URL("/.well-known/jwks.json", gw.url))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it("logs no token and no key", () => {
    const tokens = seenWith.map((h) => h["x-mcp-fleet-identity"]).filter((t): t is string => typeof t === "string");
    expect(tokens.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join("");
    for (const secret of [...tokens, KEYS.alice, KEYS.bob, JSON.parse(process.env.TEST_IDENTITY_KEY!).d as string]) expect(log.includes(secret)).toBe(false);
  });
});

describe("signed identity header toward a 2026-07-28 backend", () => {
  const seen: IncomingHttpHeaders[] = [];
  let modern: { url: string; close: () => Promise<void> };
  let recorder: Server;
  let gw: RunningGateway;
  let alice: Client;
  beforeAll(async () => {
    process.env.TEST_IDENTITY_KEY_2026 = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
    modern = await serveModernHttp();
    const target = new URL(modern.url);
    // In front of the SDK v2 server: remembers each request's headers and passes it on unchanged.
    recorder = createServer((req, res) => {
      seen.push(req.headers);
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    const url = await listen(recorder);
    gw = await startGateway(
      parseGatewayConfig({
        listen: { host: "127.0.0.1", port: 0 },
        auth: { mode: "apiKey", resource: RESOURCE, apiKeys: [{ name: "alice", sha256: sha(KEYS.alice), roles: ["support"] }] },
        identity: { signingKeyEnv: "TEST_IDENTITY_KEY_2026" },
        servers: [{ name: "modern", transport: "http", url, protocol: "2026-07-28", credentials: { identity: { type: "signed-header" } }, access: [{ roles: ["support"], tools: ["*"] }] }],
      }),
      { logger: pino({ level: "silent" }), sessionSecret: "test-secret" },
    );
    alice = await client(gw.url, KEYS.alice);
  });
  afterAll(async () => {
    await alice?.close();
    await gw?.close();
    recorder?.closeAllConnections();
    recorder?.close();
    await modern?.close();
    delete process.env.TEST_IDENTITY_KEY_2026;
  });

  it("sends the caller's token on the 2026-07-28 request of the call (and none on the gateway's own)", async () => {
    expect(textOf(await alice.callTool({ name: "modern__test_simple_text", arguments: {} }))).toBe("This is a simple text response for testing.");
    const call = seen.filter((h) => h["mcp-method"] === "tools/call");
    expect(call).toHaveLength(1);
    const { payload } = await jwtVerify(call[0]!["x-mcp-fleet-identity"] as string, createRemoteJWKSet(new URL("/.well-known/jwks.json", gw.url)), { issuer: RESOURCE, audience: "modern" });
    expect(payload.sub).toBe("apikey:alice");
    expect(seen.filter((h) => h["mcp-method"] !== "tools/call").some((h) => h["x-mcp-fleet-identity"] !== undefined)).toBe(false);
  });
});
