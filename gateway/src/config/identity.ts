/**
 * How a backend learns who calls (`servers[].credentials.identity`) and the gateway's own signing key for it
 * (`identity:`). The client's own token never goes to a backend; a server that must see the caller gets a
 * short-lived JWT the gateway signs (`signed-header`), verifiable against the gateway's JWKS
 * (`/.well-known/jwks.json`).
 */
import { z } from "zod";
import { ENV_NAME } from "./names.js";

/** The header a `signed-header` server gets, unless it names another. */
export const IDENTITY_HEADER = "X-MCP-Fleet-Identity";
/** Where a stdio server gets the same token: `params._meta["io.mcp-fleet/identity"]` of each request. */
export const IDENTITY_META_KEY = "io.mcp-fleet/identity";
/** Where the gateway publishes its public signing keys. */
export const JWKS_PATH = "/.well-known/jwks.json";
/** Toward an adapter, an exchanged token travels here (its Authorization is the adapter's own key); the adapter relays it as Authorization. */
export const EXCHANGED_HEADER = "X-MCP-Fleet-Exchanged-Token";

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Headers the gateway's own HTTP client writes: an identity header cannot take their place. */
const RESERVED_HEADERS = new Set(["authorization", "host", "content-type", "content-length", "transfer-encoding", "connection", "accept", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "traceparent", "tracestate"]);

/** A short-lived JWT signed by the gateway, per call (cached per caller and server until shortly before it expires). */
export const SignedHeaderSchema = z
  .object({
    type: z.literal("signed-header"),
    /** The request header that carries the token (HTTP and SSE servers; stdio servers get it in `_meta`). @default "X-MCP-Fleet-Identity" */
    header: z
      .string()
      .regex(HEADER_NAME, "must be an HTTP header name such as X-MCP-Fleet-Identity")
      .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), "is a header the gateway writes itself; pick another name such as X-MCP-Fleet-Identity")
      .default(IDENTITY_HEADER),
    /** Lifetime of each token, in seconds. @default 60 */
    ttlSeconds: z.number().int().min(10, "must be at least 10 seconds").max(3600, "must be at most 3600 seconds: the token is a bearer credential").default(60),
    /** The token's `aud`. @default the server's name */
    audience: z.string().min(1).optional(),
    /**
     * An adapter (which only the fleet's gateway reaches): pass on the token the gateway in front of this one sent
     * for this server instead of making one (the identity header; an exchanged token from X-MCP-Fleet-Exchanged-Token).
     * The components set it on adapters, never on a gateway clients reach. @default false
     */
    relay: z.boolean().default(false),
  })
  .strict();

/** An https URL, or http on a loopback host (a local authorization server, tests). */
const tokenEndpoint = z
  .string()
  .refine((u) => URL.canParse(u), "must be an absolute URL such as https://idp.example.com/oauth/token")
  .refine((u) => !URL.canParse(u) || new URL(u).protocol === "https:" || (new URL(u).protocol === "http:" && /^(localhost|127\.[0-9.]+|\[::1\])$/.test(new URL(u).hostname)), "must be an https:// URL (http:// only on a loopback host such as 127.0.0.1)");

/**
 * RFC 8693 token exchange: the caller's OAuth access token is exchanged at the authorization server for one issued
 * to this server, cached per caller token and server until shortly before it expires, and sent as
 * `Authorization: Bearer` on each of the caller's requests to it, in place of the connection's own Authorization
 * (`credentials.headers`, which still authenticates the gateway's own requests: initialize, lists, health checks).
 * Only OAuth callers have a token to exchange: an
 * API-key caller's call is refused with an error naming the server (with `auth.mode: apiKey`, every call). Without
 * auth nothing is sent (an adapter relays what the gateway in front of it sent).
 */
export const TokenExchangeSchema = z
  .object({
    type: z.literal("token-exchange"),
    /** The authorization server's token endpoint. */
    tokenEndpoint,
    /** `audience` of the request. @default the server's name */
    audience: z.string().min(1).optional(),
    /** `resource` of the request (RFC 8707), e.g. the server's URL. @default none */
    resource: z.string().refine((u) => URL.canParse(u), "must be an absolute URL").optional(),
    /** `scope` of the request (space-separated). @default none */
    scope: z.string().min(1).optional(),
    /** The gateway's client id at the authorization server (HTTP Basic client authentication). */
    clientId: z.string().min(1),
    /** Name of the environment variable holding the client secret. Never the secret itself. */
    clientSecretEnv: z.string().regex(ENV_NAME, "must be an environment variable name such as MCP_FLEET_EXCHANGE_SECRET"),
    /** The header the exchanged token goes in (`Bearer <token>`); toward an adapter, X-MCP-Fleet-Exchanged-Token. @default "Authorization" */
    header: z
      .string()
      .regex(HEADER_NAME, "must be an HTTP header name such as Authorization")
      .refine((h) => h.toLowerCase() === "authorization" || !RESERVED_HEADERS.has(h.toLowerCase()), "is a header the gateway writes itself; use Authorization or X-MCP-Fleet-Exchanged-Token")
      .default("Authorization"),
    /** How long an exchange may take before the call fails, in milliseconds. @default 5000 */
    timeoutMs: z.number().int().positive().max(60_000).default(5000),
    /**
     * An adapter (which only the fleet's gateway reaches): pass on the token the gateway in front of this one sent
     * for this server instead of making one (the identity header; an exchanged token from X-MCP-Fleet-Exchanged-Token).
     * The components set it on adapters, never on a gateway clients reach. @default false
     */
    relay: z.boolean().default(false),
  })
  .strict();

/** How one server sees the caller. */
export const IdentityPresentationSchema = z.discriminatedUnion("type", [SignedHeaderSchema, TokenExchangeSchema], {
  error: 'must be { type: "signed-header" } (a JWT the gateway signs for each caller) or { type: "token-exchange", ... } (RFC 8693)',
});

/** The gateway's own identity toward backends: the key it signs caller tokens with. */
export const IdentitySchema = z
  .object({
    /**
     * Name of the environment variable holding the private signing key: a JWK, a JWK Set (the first key signs, all
     * are published: rotation) or a PKCS#8 PEM, of an Ed25519 (EdDSA) or P-256 (ES256) key. Never the key itself.
     */
    signingKeyEnv: z.string().regex(ENV_NAME, "must be an environment variable name such as MCP_FLEET_IDENTITY_KEY").optional(),
    /** The tokens' `iss`. @default `auth.resource` */
    issuer: z.string().refine((u) => URL.canParse(u), "must be an absolute URL such as https://mcp.example.com/mcp").optional(),
  })
  .strict()
  .prefault({});

export type IdentityConfig = z.output<typeof IdentitySchema>;
export type IdentityPresentation = z.output<typeof IdentityPresentationSchema>;
export type TokenExchangeConfig = z.output<typeof TokenExchangeSchema>;

type Issue = { path: PropertyKey[]; message: string };

interface ServerLike {
  name: string;
  transport: "stdio" | "http" | "sse";
  headers?: Record<string, string>;
  credentials: { headers: Record<string, string>; identity?: IdentityPresentation | undefined };
}

/**
 * Rules across `identity`, `auth` and `servers[].credentials` the schemas cannot state alone. With `auth.mode: none`
 * the gateway has no caller of its own: it signs nothing (and needs no key); a server with `relay` gets the token
 * the gateway in front of this one sent (no key needed either).
 */
export function identityProblems(config: { identity: IdentityConfig; auth: { mode: string; resource?: string | undefined }; servers: readonly ServerLike[] }): Issue[] {
  const problems: Issue[] = [];
  const signs = config.auth.mode !== "none";
  let keyReported = false;
  config.servers.forEach((server, index) => {
    const { credentials } = server;
    if (server.transport === "stdio" && Object.keys(credentials.headers).length > 0) {
      problems.push({ path: ["servers", index, "credentials", "headers"], message: `a stdio server has no HTTP requests to carry headers. Remove credentials.headers; pass its secrets with inheritEnv.` });
    }
    const identity = credentials.identity;
    if (identity === undefined) return;
    if (identity.type === "token-exchange") {
      const at = ["servers", index, "credentials", "identity"];
      if (server.transport === "stdio") problems.push({ path: [...at, "type"], message: `"token-exchange" sends the exchanged token as an Authorization header; a stdio server has none. Use { type: "signed-header" } (the token goes in _meta).` });
      return;
    }
    if (signs && !identity.relay && config.identity.signingKeyEnv === undefined && !keyReported) {
      keyReported = true;
      problems.push({
        path: ["identity", "signingKeyEnv"],
        message: `is required: servers[${index}] ("${server.name}") has credentials.identity signed-header, and the gateway signs those tokens. Set identity.signingKeyEnv to the environment variable holding its private key (an Ed25519 or P-256 JWK, or a PKCS#8 PEM), e.g. MCP_FLEET_IDENTITY_KEY.`,
      });
    }
    if (server.transport !== "stdio") {
      const taken = [...Object.keys(server.headers ?? {}), ...Object.keys(credentials.headers)].find((h) => h.toLowerCase() === identity.header.toLowerCase());
      if (taken !== undefined) {
        problems.push({ path: ["servers", index, "credentials", "identity", "header"], message: `"${identity.header}" is also set by ${Object.keys(credentials.headers).includes(taken) ? "credentials.headers" : "headers"}. Give the identity token a header of its own (default X-MCP-Fleet-Identity).` });
      }
    }
  });
  if (signs && config.identity.issuer === undefined && config.auth.resource === undefined && config.servers.some((s) => s.credentials.identity?.type === "signed-header" && !s.credentials.identity.relay)) {
    problems.push({ path: ["identity", "issuer"], message: "is required when auth.resource is unset: it is the `iss` of the identity tokens backends verify. Set auth.resource (or identity.issuer) to the URL clients connect to, e.g. https://mcp.example.com/mcp." });
  }
  return problems;
}
