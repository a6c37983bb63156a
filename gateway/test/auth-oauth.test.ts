/**
 * The gateway as an OAuth 2.1 resource server, against a real authorization server on 127.0.0.1 (the SDK's own
 * server-side auth pieces, a real JWKS over HTTP) and the SDK's real client-side OAuth flow.
 */
import { Writable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { SignJWT, base64url } from "jose";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig, type BackendConfigInput, type GatewayConfigInput } from "../src/config.js";
import { startGateway } from "../src/gateway.js";
import { newKey, startAuthServer, type AuthServer } from "./fixtures/auth-server.js";
import { bearer, initialize, send } from "./fixtures/raw-http.js";
import { FIXTURE, freePort, textOf } from "./helpers.js";

const fixture: BackendConfigInput = {
  name: "fixture",
  transport: "stdio",
  command: "node",
  args: ["--import", "tsx", FIXTURE],
  access: [{ roles: ["support"], tools: ["pid"] }],
};

/** A gateway with OAuth on its own port (the resource URI names the port), logging everything to `lines`. */
async function oauthGateway(as: AuthServer, oauth: Partial<NonNullable<NonNullable<GatewayConfigInput["auth"]>["oauth"]>> = {}) {
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const lines: string[] = [];
  const logger = pino({ level: "trace" }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const config = parseGatewayConfig({
    listen: { host: "127.0.0.1", port },
    auth: { mode: "oauth", resource, oauth: { issuer: as.issuer, ...oauth } },
    servers: [fixture],
  });
  const gw = await startGateway(config, { logger, sessionSecret: "test-secret" });
  return { gw, resource, lines };
}

/** The client side of the flow: what a desktop client keeps, and the authorization URL it would open in a browser. */
class TestClientAuth implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | undefined;
  readonly redirectUrl = "http://127.0.0.1:9/callback";
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "identity-test", redirect_uris: [this.redirectUrl], grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The whole flow as a user would go through it: 401, discovery, registration, authorization (the "browser"), token. */
async function signIn(url: string): Promise<{ client: Client; auth: TestClientAuth }> {
  const auth = new TestClientAuth();
  const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: auth });
  await expect(new Client({ name: "t", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(auth.authorizationUrl).toBeDefined();
  const login = await fetch(auth.authorizationUrl!, { redirect: "manual" });
  const code = new URL(login.headers.get("location")!).searchParams.get("code")!;
  await first.finishAuth(code);
  const client = new Client({ name: "t", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: auth }));
  return { client, auth };
}

describe("OAuth: the SDK client's own flow end to end", () => {
  let as: AuthServer;
  let g: Awaited<ReturnType<typeof oauthGateway>>;
  beforeAll(async () => {
    as = await startAuthServer();
    g = await oauthGateway(as);
  });
  afterAll(async () => {
    await g?.gw.close();
    await as?.close();
  });

  it("gets 401 with the metadata's address, discovers the authorization server, gets a token for the resource, then lists and calls", async () => {
    as.loginAs({ sub: "alice", roles: ["support"] });
    const { client, auth } = await signIn(g.resource);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["fixture__pid"]);
    expect(Number(textOf(await client.callTool({ name: "fixture__pid", arguments: {} })))).toBeGreaterThan(0);
    const claims = JSON.parse(Buffer.from(auth.saved!.access_token.split(".")[1]!, "base64url").toString()) as { aud: string; iss: string };
    expect(claims).toMatchObject({ aud: g.resource, iss: as.issuer });
    await client.close();
  });

  it("serves the protected resource metadata at the root and path-suffixed well-known addresses", async () => {
    const origin = new URL(g.resource).origin;
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const answer = await fetch(`${origin}${path}`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ resource: g.resource, authorization_servers: [as.issuer], bearer_methods_supported: ["header"], resource_name: "mcp-fleet gateway" });
    }
  });
});

describe("OAuth: signing keys", () => {
  let as: AuthServer;
  beforeAll(async () => {
    as = await startAuthServer();
  });
  afterAll(async () => as?.close());

  it("accepts a token signed with a key added after start (a new kid), without a restart", async () => {
    const g = await oauthGateway(as, { jwksCooldownSeconds: 0 });
    try {
      const before = await as.sign({ sub: "bob", aud: g.resource });
      expect((await send("POST", g.resource, initialize(), [bearer(before)])).status).toBe(200);
      await as.rotate();
      const after = await as.sign({ sub: "bob", aud: g.resource });
      expect(JSON.parse(Buffer.from(after.split(".")[0]!, "base64url").toString()).kid).toBe("key-2");
      expect((await send("POST", g.resource, initialize(), [bearer(after)])).status).toBe(200);
    } finally {
      await g.gw.close();
    }
  });

  it("fetches the keys once for many tokens with unknown kids within the cooldown", async () => {
    const g = await oauthGateway(as, { jwksUri: as.jwksUri, jwksCooldownSeconds: 60 });
    try {
      const stranger = await newKey("not-published");
      const fetchesBefore = as.jwksFetches();
      for (let i = 0; i < 5; i++) {
        const token = await as.sign({ sub: `mallory-${i}`, aud: g.resource }, { key: stranger });
        expect((await send("POST", g.resource, initialize(), [bearer(token)])).status).toBe(401);
      }
      expect(as.jwksFetches() - fetchesBefore).toBe(1);
    } finally {
      await g.gw.close();
    }
  });
});

describe("OAuth: every bad token is 401 with its challenge, and never logged", () => {
  let as: AuthServer;
  let g: Awaited<ReturnType<typeof oauthGateway>>;
  beforeAll(async () => {
    as = await startAuthServer();
    g = await oauthGateway(as);
  });
  afterAll(async () => {
    await g?.gw.close();
    await as?.close();
  });

  const metadata = () => `resource_metadata="${new URL(g.resource).origin}/.well-known/oauth-protected-resource/mcp"`;
  const now = () => Math.floor(Date.now() / 1000);

  const cases: [string, () => Promise<[string, string][]>, string][] = [
    ["expired", async () => [bearer(await as.sign({ sub: "a", aud: g.resource, exp: now() - 3600 }))], 'error="invalid_token", error_description="the token expired"'],
    ["not yet valid", async () => [bearer(await as.sign({ sub: "a", aud: g.resource, nbf: now() + 3600 }))], 'error="invalid_token", error_description="the token is not valid yet (nbf)"'],
    ["of another issuer", async () => [bearer(await as.sign({ sub: "a", aud: g.resource, iss: "http://127.0.0.1:1/" }))], 'error="invalid_token", error_description="the token was issued by another issuer (iss)"'],
    ["for another resource", async () => [bearer(await as.sign({ sub: "a", aud: "http://127.0.0.1:1/mcp" }))], 'error="invalid_token", error_description="the token was issued for another resource (aud)"'],
    [
      "with alg none",
      async () => {
        const head = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        const body = base64url.encode(JSON.stringify({ iss: as.issuer, sub: "a", aud: g.resource, exp: now() + 3600 }));
        return [bearer(`${head}.${body}.`)];
      },
      'error="invalid_token", error_description="the token\'s signature algorithm is not accepted"',
    ],
    [
      "HS256-signed with the public key",
      async () => {
        const jwk = as.current().publicJwk;
        const secret = new TextEncoder().encode(JSON.stringify(jwk));
        return [bearer(await new SignJWT({ iss: as.issuer, sub: "a", aud: g.resource, exp: now() + 3600 }).setProtectedHeader({ alg: "HS256", kid: jwk.kid! }).sign(secret))];
      },
      'error="invalid_token", error_description="the token\'s signature algorithm is not accepted"',
    ],
    ["signed with an unknown kid", async () => [bearer(await as.sign({ sub: "a", aud: g.resource }, { key: await newKey("unknown") }))], 'error="invalid_token", error_description="no signing key of the issuer matches the token (kid)"'],
    ["garbage", async () => [bearer("eyJnot.a.jwt")], 'error="invalid_token", error_description="the token is not a valid JWT"'],
    ["missing", async () => [], ""],
    [
      "in two Authorization headers",
      async () => {
        const token = await as.sign({ sub: "a", aud: g.resource });
        return [bearer(token), bearer(token)];
      },
      'error="invalid_request", error_description="the request carries more than one Authorization credential; send exactly one"',
    ],
  ];

  for (const [what, headers, error] of cases) {
    it(`a token ${what}`, async () => {
      const h = await headers();
      const answer = await send("POST", g.resource, initialize(), h);
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe(`Bearer ${metadata()}${error === "" ? "" : `, ${error}`}`);
      for (const [, value] of h) {
        const token = value.slice("Bearer ".length);
        expect(g.lines.join("").includes(token)).toBe(false);
        expect(answer.body.includes(token)).toBe(false);
      }
    });
  }

  it("a token in the alg-none form of a valid one is refused even though its claims are right", async () => {
    const valid = await as.sign({ sub: "a", aud: g.resource });
    const [, payload] = valid.split(".");
    const none = `${base64url.encode(JSON.stringify({ alg: "none" }))}.${payload}.`;
    expect((await send("POST", g.resource, initialize(), [bearer(valid)])).status).toBe(200);
    expect((await send("POST", g.resource, initialize(), [bearer(none)])).status).toBe(401);
  });
});
