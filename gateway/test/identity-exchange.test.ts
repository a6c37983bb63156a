/**
 * `credentials.identity: token-exchange` (RFC 8693) against a small authorization server started by the test (node:http
 * on 127.0.0.1, jose-signed tokens, a real JWKS): an OAuth caller's token is exchanged for one issued to the server,
 * once per caller token while it is good; the server verifies it and sees the caller; the caller's own token never
 * reaches it. An API-key caller, a refused exchange and an endpoint that does not answer each give the caller a
 * JSON-RPC error naming the server.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { pino } from "pino";
import { parseGatewayConfig } from "../src/config.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { bearer, openSession, rpc, send } from "./fixtures/raw-http.js";
import { gateway, waitFor } from "./helpers.js";

const RESOURCE = "https://mcp.example.com/mcp";
const API_KEY = "ci-key-0123456789abcdef";
const CLIENT = { id: "mcp-gateway", secret: "exchange-secret-0123456789" };
const ADAPTER_KEY = "adapter-key-0123456789abcdef";
const access = [{ roles: ["*"], tools: ["*"] }];
const textOf = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]!.text);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("RFC 8693 token exchange toward a backend", () => {
  let key: CryptoKey;
  let jwk: JWK;
  let issuer: string;
  const exchanges: URLSearchParams[] = [];
  const issued: string[] = [];
  /** Exchanges for the "held" audience wait here until the test lets them go. */
  const held: (() => void)[] = [];
  /** Which backend URLs a whoami call reached. */
  const called: string[] = [];
  /** The Authorization values of each request to the "own" server (the gateway has a credential of its own there). */
  const ownRequests: string[][] = [];
  const logLines: string[] = [];
  const seen: IncomingHttpHeaders[] = [];
  const servers: Server[] = [];
  let gw: RunningGateway;
  let adapter: RunningGateway;
  const clients: Client[] = [];
  const issue = (claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime("5m").sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    // The authorization server: its JWKS, and a token endpoint that exchanges (or, per audience, refuses or hangs).
    const idp = createServer((req, res) => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
        return;
      }
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        void (async () => {
          const form = new URLSearchParams(body);
          exchanges.push(form);
          const audience = form.get("audience") ?? "";
          if (audience === "hangs") return;
          if (audience === "held") await new Promise<void>((release) => held.push(release));
          if (req.headers.authorization !== `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}` || audience === "refused") {
            res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_grant" }));
            return;
          }
          const { payload } = await jwtVerify(form.get("subject_token") ?? "", createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: RESOURCE });
          const token = await issue({ sub: payload.sub, roles: payload.roles, act: { sub: CLIENT.id } }, audience);
          issued.push(token);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, issued_token_type: form.get("requested_token_type"), token_type: "Bearer", expires_in: 300 }));
        })();
      });
    });
    // The backend: verifies the bearer token it gets as one issued to it, and answers its subject.
    const backend = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url?.includes("aud=own") === true) {
        const values: string[] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === "authorization") values.push(req.rawHeaders[i + 1]!);
        ownRequests.push(values);
      }
      const mcp = new McpServer({ name: "remote", version: "1" });
      mcp.registerTool("whoami", { description: "The verified caller" }, async () => {
        called.push(req.url ?? "");
        const { payload } = await jwtVerify((req.headers.authorization ?? "").replace(/^Bearer /, ""), createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: new URL(req.url ?? "/", "http://x").searchParams.get("aud") ?? "remote" });
        return { content: [{ type: "text", text: `${String(payload.sub)} via ${String((payload.act as { sub: string }).sub)}` }] };
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    servers.push(idp, backend);
    issuer = await listen(idp);
    const backendUrl = `${await listen(backend)}/mcp`;
    process.env.TEST_EXCHANGE_SECRET = CLIENT.secret;
    process.env.TEST_GATEWAY_OWN = "gateway-own";
    const exchange = { type: "token-exchange" as const, tokenEndpoint: `${issuer}/token`, clientId: CLIENT.id, clientSecretEnv: "TEST_EXCHANGE_SECRET", timeoutMs: 500 };
    // An adapter in front of the backend, as the components render it in a cluster: it takes the central gateway's
    // key (Authorization) and relays the exchanged token (X-MCP-Fleet-Exchanged-Token) as the backend's Authorization.
    process.env.TEST_ADAPTER_KEY = ADAPTER_KEY;
    adapter = await gateway({
      auth: { mode: "apiKey", apiKeys: [{ name: "gateway", sha256: createHash("sha256").update(ADAPTER_KEY).digest("hex"), roles: ["mcp-fleet-gateway"] }] },
      naming: { separator: "__", passthrough: true },
      servers: [{ name: "remote", transport: "http", url: backendUrl, credentials: { identity: { ...exchange, relay: true } }, access: [{ roles: ["mcp-fleet-gateway"], tools: ["*"] }] }],
    });
    // Every log line of the gateway, at debug: none may hold a caller's token or an exchanged one.
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString("utf8")), done()) });
    gw = await startGateway(parseGatewayConfig({
      listen: { host: "127.0.0.1", port: 0 },
      auth: { mode: "oauth", resource: RESOURCE, oauth: { issuer, jwksUri: `${issuer}/jwks`, algorithms: ["ES256"] }, apiKeys: [{ name: "ci-bot", sha256: createHash("sha256").update(API_KEY).digest("hex"), roles: ["ci"] }] },
      servers: [
        { name: "remote", transport: "http", url: backendUrl, credentials: { identity: exchange }, access },
        { name: "refused", transport: "http", url: backendUrl, credentials: { identity: { ...exchange, audience: "refused" } }, access },
        { name: "hangs", transport: "http", url: backendUrl, credentials: { identity: { ...exchange, audience: "hangs" } }, access },
        { name: "behind", transport: "http", url: adapter.url, credentials: { headers: { Authorization: "Bearer ${TEST_ADAPTER_KEY}" }, identity: { ...exchange, audience: "remote", header: "X-MCP-Fleet-Exchanged-Token" } }, access },
        { name: "own", transport: "http", url: `${backendUrl}?aud=own`, credentials: { headers: { Authorization: "Bearer ${TEST_GATEWAY_OWN}" }, identity: exchange }, access },
        { name: "held", transport: "http", url: `${backendUrl}?aud=held`, credentials: { identity: { ...exchange, audience: "held" } }, access },
      ],
    }), { logger: pino({ level: "debug" }, sink), sessionSecret: "test-secret" });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw?.close();
    await adapter?.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    delete process.env.TEST_EXCHANGE_SECRET;
    delete process.env.TEST_GATEWAY_OWN;
    delete process.env.TEST_ADAPTER_KEY;
  });

  async function client(bearer: string): Promise<Client> {
    const c = new Client({ name: "exchange-test", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(gw.url), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
    clients.push(c);
    return c;
  }

  it("exchanges an OAuth caller's token once for one issued to the server, which sees the caller", async () => {
    const token = await issue({ sub: "dana", roles: ["support"] }, RESOURCE);
    const c = await client(token);
    const before = exchanges.length;
    expect(textOf(await c.callTool({ name: "remote__whoami", arguments: {} }))).toBe("dana via mcp-gateway");
    expect(textOf(await c.callTool({ name: "remote__whoami", arguments: {} }))).toBe("dana via mcp-gateway");
    const sent = exchanges.slice(before);
    expect(sent.map((f) => [f.get("grant_type"), f.get("subject_token_type"), f.get("audience"), f.get("subject_token") === token])).toEqual([
      ["urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:token-type:access_token", "remote", true],
    ]);
    for (const headers of seen) expect(JSON.stringify(headers).includes(token)).toBe(false);
  });

  it("reaches a server behind its authenticated adapter with the exchanged token, which the adapter relays as Authorization", async () => {
    const c = await client(await issue({ sub: "frank" }, RESOURCE));
    expect(textOf(await c.callTool({ name: "behind__whoami", arguments: {} }))).toBe("frank via mcp-gateway");
  });

  it("sends the exchanged token in place of the gateway's own Authorization, which its own requests keep", async () => {
    const c = await client(await issue({ sub: "hana" }, RESOURCE));
    expect(textOf(await c.callTool({ name: "own__whoami", arguments: {} }))).toBe("hana via mcp-gateway");
    expect(ownRequests.every((values) => values.length === 1)).toBe(true);
    expect(ownRequests.some(([value]) => value === "Bearer gateway-own")).toBe(true);
    expect(ownRequests.filter(([value]) => value !== "Bearer gateway-own")).toHaveLength(1);
  });

  it("refuses an API-key caller with an error naming the server", async () => {
    const c = await client(API_KEY);
    const result = c.callTool({ name: "remote__whoami", arguments: {} });
    await expect(result).rejects.toThrow('Server "remote" sees its callers through an OAuth token exchange (credentials.identity), and API key "ci-bot" has no OAuth access token to exchange. Call it with an OAuth access token.');
  });

  it("answers a refused exchange and an endpoint that does not answer with errors naming the server and the cause", async () => {
    const c = await client(await issue({ sub: "erin" }, RESOURCE));
    await expect(c.callTool({ name: "refused__whoami", arguments: {} })).rejects.toThrow('Server "refused" was not called: exchanging the caller\'s token for one of its own failed (the token endpoint refused the exchange (HTTP 400, invalid_grant)).');
    await expect(c.callTool({ name: "hangs__whoami", arguments: {} })).rejects.toThrow('Server "hangs" was not called: exchanging the caller\'s token for one of its own failed (the token endpoint did not answer within 500 ms (timeoutMs)).');
  });

  it("does not send a call its client cancelled while its token was being exchanged", async () => {
    const token = await issue({ sub: "gail" }, RESOURCE);
    const session = await openSession(gw.url, [bearer(token)]);
    const headers: [string, string][] = [bearer(token), ["mcp-session-id", session], ["mcp-protocol-version", "2025-11-25"]];
    const answer = send("POST", gw.url, rpc(7, "tools/call", { name: "held__whoami", arguments: {} }), headers);
    await waitFor(() => (held.length > 0 ? true : undefined), "the exchange to reach the token endpoint");
    const cancelled = await send("POST", gw.url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7, reason: "test" } }), headers);
    expect(cancelled.status).toBe(202);
    held.shift()!();
    expect((await answer).message?.error?.message).toBe('tools/call "whoami" on server "held" was cancelled by the client.');
    expect(called.some((url) => url.includes("aud=held"))).toBe(false);
  });

  it("logs no caller token, exchanged token or client secret", () => {
    const subjects = exchanges.map((f) => f.get("subject_token")!).filter((t) => t !== "");
    expect(subjects.length).toBeGreaterThan(0);
    expect(issued.length).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes("token exchange failed"))).toBe(true);
    const log = logLines.join("");
    for (const secret of [...subjects, ...issued, CLIENT.secret]) expect(log.includes(secret)).toBe(false);
  });
});
