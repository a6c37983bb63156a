/**
 * The identity token on the other ways to a backend: a legacy SSE server gets it on the POST of each call (never on
 * its stream), an adapter (a gateway with `auth: none` on a trusted network, `relay` on its server) relays the token
 * of the gateway in front of it to its own server, and a gateway without a caller to vouch for sends none: a token a client wrote into
 * `_meta` never reaches a stdio server.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../src/gateway.js";
import { FIXTURE, gateway } from "./helpers.js";

const RESOURCE = "https://mcp.example.com/mcp";
const KEY = "carol-key-0123456789abcdef";
const access = [{ roles: ["*"], tools: ["*"] }];
const textOf = (result: unknown): string => ((result as { content: { text: string }[] }).content[0]!.text);

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as AddressInfo).port;
}

/** A whoami tool answering the identity header's verified subject (or `anonymous`). */
function whoami(mcp: McpServer, headersOf: (extra: { requestInfo?: { headers: IncomingHttpHeaders } }) => IncomingHttpHeaders | undefined, jwksUrl: () => URL, audience: string): void {
  mcp.registerTool("whoami", { description: "The verified caller" }, async (extra) => {
    const token = headersOf(extra)?.["x-mcp-fleet-identity"];
    if (typeof token !== "string") return { content: [{ type: "text", text: "anonymous" }] };
    const { payload } = await jwtVerify(token, createRemoteJWKSet(jwksUrl()), { issuer: RESOURCE, audience });
    return { content: [{ type: "text", text: String(payload.sub) }] };
  });
}

async function client(url: string, key?: string): Promise<Client> {
  const c = new Client({ name: "relay-test", version: "1" });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), key === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return c;
}

describe("identity toward SSE backends, through adapters, and without auth", () => {
  const sseHeaders: { stream: IncomingHttpHeaders[]; posts: IncomingHttpHeaders[] } = { stream: [], posts: [] };
  const servers: Server[] = [];
  let front: RunningGateway;
  let adapter: RunningGateway;
  let open: RunningGateway;
  let internal: RunningGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    process.env.TEST_RELAY_KEY = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
    const jwksUrl = () => new URL("/.well-known/jwks.json", front.url);
    // A legacy SSE server: one stream (GET /sse), a POST /messages per message.
    const transports = new Map<string, SSEServerTransport>();
    const sse = createServer((req, res) => {
      if (req.method === "GET") {
        sseHeaders.stream.push(req.headers);
        const transport = new SSEServerTransport("/messages", res);
        transports.set(transport.sessionId, transport);
        const mcp = new McpServer({ name: "legacy", version: "1" });
        whoami(mcp, (extra) => extra.requestInfo?.headers, jwksUrl, "legacy");
        void mcp.connect(transport);
        return;
      }
      sseHeaders.posts.push(req.headers);
      const id = new URL(req.url ?? "/", "http://x").searchParams.get("sessionId") ?? "";
      void transports.get(id)?.handlePostMessage(req, res);
    });
    // A Streamable HTTP server behind the adapter.
    const inner = createServer((req, res) => {
      const mcp = new McpServer({ name: "inner", version: "1" });
      whoami(mcp, () => req.headers, jwksUrl, "inner");
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    servers.push(sse, inner);
    const [ssePort, innerPort] = [await listen(sse), await listen(inner)];
    const identity = { type: "signed-header" as const };
    // The adapter: no auth of its own (only the fleet's gateway reaches it), one server, as the components render it.
    adapter = await gateway({
      auth: { mode: "none", trustedNetwork: true },
      naming: { separator: "__", passthrough: true },
      servers: [{ name: "inner", transport: "http", url: `http://127.0.0.1:${innerPort}/mcp`, credentials: { identity: { ...identity, relay: true } } }],
    });
    // An unauthenticated in-cluster gateway that clients reach: the same server without `relay`.
    internal = await gateway({ auth: { mode: "none", trustedNetwork: true }, servers: [{ name: "inner", transport: "http", url: `http://127.0.0.1:${innerPort}/mcp`, credentials: { identity } }] });
    front = await gateway({
      auth: { mode: "apiKey", resource: RESOURCE, apiKeys: [{ name: "carol", sha256: createHash("sha256").update(KEY).digest("hex") }] },
      identity: { signingKeyEnv: "TEST_RELAY_KEY" },
      servers: [
        { name: "legacy", transport: "sse", url: `http://127.0.0.1:${ssePort}/sse`, credentials: { identity }, access },
        { name: "inner", transport: "http", url: adapter.url, credentials: { identity }, access },
      ],
    });
    open = await gateway({ servers: [{ name: "local", transport: "stdio", command: process.execPath, args: ["--import", "tsx", FIXTURE], credentials: { identity } }] });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await front?.close();
    await Promise.all([adapter?.close(), open?.close(), internal?.close()]);
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    delete process.env.TEST_RELAY_KEY;
  });

  it("sends a legacy SSE server the token on the POST of the call, not on its stream", async () => {
    const c = await client(front.url, KEY);
    clients.push(c);
    expect(textOf(await c.callTool({ name: "legacy__whoami", arguments: {} }))).toBe("apikey:carol");
    expect(sseHeaders.stream.some((h) => h["x-mcp-fleet-identity"] !== undefined)).toBe(false);
    expect(sseHeaders.posts.some((h) => h["x-mcp-fleet-identity"] !== undefined)).toBe(true);
  });

  it("relays the front gateway's token through an adapter to the adapter's server", async () => {
    const c = await client(front.url, KEY);
    clients.push(c);
    expect(textOf(await c.callTool({ name: "inner__whoami", arguments: {} }))).toBe("apikey:carol");
  });

  it("relays nothing when the adapter's caller sent no token", async () => {
    const c = await client(adapter.url);
    clients.push(c);
    expect(textOf(await c.callTool({ name: "whoami", arguments: {} }))).toBe("anonymous");
  });

  it("never passes on an identity header a client sent to a gateway whose server does not relay", async () => {
    const c = new Client({ name: "relay-test", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(internal.url), { requestInit: { headers: { "x-mcp-fleet-identity": "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJtYWxsb3J5In0.c2ln" } } }));
    clients.push(c);
    expect(textOf(await c.callTool({ name: "inner__whoami", arguments: {} }))).toBe("anonymous");
  });

  it("without auth sends no token, and drops one a client wrote into _meta", async () => {
    const c = await client(open.url);
    clients.push(c);
    const result = await c.callTool({ name: "local__meta", arguments: {}, _meta: { "io.mcp-fleet/identity": "forged.by.client", other: "kept" } });
    expect(JSON.parse(textOf(result))).toEqual({ other: "kept" });
  });
});
