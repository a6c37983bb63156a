/**
 * Who may reach the MCP endpoint (`auth:`): nobody checked (`none`, loopback only), API keys (`apiKey`), or OAuth 2.1
 * bearer tokens from one issuer (`oauth`, which also accepts API keys when `apiKeys` is set). The per-server rules of
 * what each caller may see and call are in `servers[].access` (config/servers.ts).
 */
import { z } from "zod";
import { ENV_NAME } from "./names.js";

/** Signature algorithms a token may use: asymmetric only (never `none`, never an HMAC that a public key could forge). */
export const TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;

/** Hosts that are this machine: plain http is accepted for them (a local identity provider, tests). */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return h === "localhost" || h === "::1" || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(h);
}

/** An https URL, or http on a loopback host. */
const secureUrl = z
  .string()
  .refine((u) => URL.canParse(u), "must be an absolute URL such as https://idp.example.com")
  .refine((u) => !URL.canParse(u) || new URL(u).protocol === "https:" || (new URL(u).protocol === "http:" && isLoopbackHost(new URL(u).hostname)), "must be an https:// URL (http:// only on a loopback host such as 127.0.0.1)");

export const ApiKeySchema = z
  .object({
    /** Who the key belongs to (logs, audit, metrics never see the key). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be 1-63 letters, digits, '.', '_' or '-' (e.g. ci-bot)"),
    /** SHA-256 of the key, 64 lowercase hex digits (`printf %s "$KEY" | sha256sum`). Never the key itself. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be the SHA-256 of the key as 64 lowercase hex digits (printf %s \"$KEY\" | sha256sum)"),
    /** Roles the key's caller has (matched by `servers[].access`). @default [] */
    roles: z.array(z.string().min(1)).default([]),
    /** Scopes the key's caller has. @default [] */
    scopes: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const OAuthSchema = z
  .object({
    /** The authorization server's issuer identifier: tokens must carry exactly this `iss`. */
    issuer: secureUrl,
    /** Where its signing keys are. @default the `jwks_uri` of the issuer's metadata (RFC 8414, then OpenID discovery) */
    jwksUri: secureUrl.optional(),
    /** Claim holding the caller's roles or groups (a dotted path such as `realm_access.roles`; an array or a space-separated string). @default "roles" */
    rolesClaim: z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a claim name or a dotted path such as realm_access.roles").default("roles"),
    /** Algorithms accepted. @default ["RS256", "PS256", "ES256", "EdDSA"] */
    algorithms: z.array(z.enum(TOKEN_ALGORITHMS, { error: `must be one of ${TOKEN_ALGORITHMS.join(", ")} (asymmetric only)` })).min(1).default(["RS256", "PS256", "ES256", "EdDSA"]),
    /** Clock skew tolerated on `exp` and `nbf`, in seconds. @default 30 */
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    /** Scopes every token must carry (else 403 insufficient_scope). @default [] */
    requiredScopes: z.array(z.string().min(1)).default([]),
    /** How long fetched signing keys are used before they are fetched again, in seconds. @default 600 */
    jwksCacheSeconds: z.number().int().positive().max(86_400).default(600),
    /** At most one fetch of the keys per this many seconds (a token with an unknown `kid` triggers one). @default 30 */
    jwksCooldownSeconds: z.number().int().nonnegative().max(3600).default(30),
  })
  .strict();

export const AuthSchema = z
  .object({
    /**
     * `none`: no authentication (only when `listen.host` is a loopback address); `apiKey`: keys of `apiKeys`;
     * `oauth`: bearer JWTs of `oauth.issuer` (and keys of `apiKeys`, when set). @default "none"
     */
    mode: z.enum(["none", "apiKey", "oauth"]).default("none"),
    /**
     * The gateway's canonical resource URI (RFC 8707), what clients connect to, e.g. `https://mcp.example.com/mcp`:
     * tokens must carry it in `aud` (a trailing slash is tolerated), and the protected resource metadata (RFC 9728)
     * names it. Required with `oauth`.
     */
    resource: z.string().refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "must be an absolute http(s) URL such as https://mcp.example.com/mcp").optional(),
    oauth: OAuthSchema.optional(),
    /** API keys by SHA-256 hash (prefer `apiKeysFromEnv`: hashes from a Secret, not the config). @default [] */
    apiKeys: z.array(ApiKeySchema).default([]),
    /** Name of an environment variable holding more keys as a JSON array of `{name, sha256, roles}` (e.g. MCP_FLEET_API_KEYS). */
    apiKeysFromEnv: z.string().regex(ENV_NAME, "must be an environment variable name such as MCP_FLEET_API_KEYS").optional(),
    /**
     * With `mode: none` on a non-loopback address: no client can reach this gateway directly (an adapter that only
     * the fleet's gateway may connect to, by NetworkPolicy; a container published on 127.0.0.1 only). Without it,
     * `none` off loopback is a config error. @default false
     */
    trustedNetwork: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export type AuthConfig = z.output<typeof AuthSchema>;
export type ApiKeyConfig = z.output<typeof ApiKeySchema>;

type Issue = { path: PropertyKey[]; message: string };

/** Rules across `auth` and `listen` the section's schema cannot state alone. */
export function authProblems(auth: AuthConfig, listenHost: string): Issue[] {
  const problems: Issue[] = [];
  if (auth.mode === "none" && !isLoopbackHost(listenHost) && !auth.trustedNetwork) {
    problems.push({
      path: ["auth", "mode"],
      message: `"none" lets anyone who reaches ${listenHost} call every tool. Set auth.mode to apiKey or oauth, or listen on 127.0.0.1 (or set auth.trustedNetwork when no client can reach this address).`,
    });
  }
  if (auth.mode === "oauth") {
    if (auth.oauth === undefined) problems.push({ path: ["auth", "oauth"], message: "is required with mode oauth. Set oauth.issuer (and oauth.jwksUri unless the issuer publishes metadata)." });
    if (auth.resource === undefined) problems.push({ path: ["auth", "resource"], message: "is required with mode oauth: tokens must be issued for it. Set it to the URL clients connect to, e.g. https://mcp.example.com/mcp." });
  }
  if (auth.mode === "apiKey" && auth.apiKeys.length === 0 && auth.apiKeysFromEnv === undefined) {
    problems.push({ path: ["auth", "apiKeys"], message: "mode apiKey needs at least one key. Add {name, sha256, roles} entries, or set apiKeysFromEnv." });
  }
  const seen = new Map<string, number>();
  auth.apiKeys.forEach((key, index) => {
    const previous = seen.get(key.name);
    if (previous !== undefined) problems.push({ path: ["auth", "apiKeys", index, "name"], message: `"${key.name}" is already the name of apiKeys[${previous}]. Give each key a unique name.` });
    seen.set(key.name, index);
  });
  return problems;
}

/** The keys of `apiKeysFromEnv`, validated; problems name the variable (never its value). */
export function apiKeysFromEnvironment(auth: AuthConfig, env: NodeJS.ProcessEnv = process.env): ApiKeyConfig[] {
  const name = auth.apiKeysFromEnv;
  if (name === undefined) return [];
  const text = env[name];
  if (text === undefined || text === "") throw new Error(`auth.apiKeysFromEnv names ${name}, which is unset. Set it to a JSON array of {name, sha256, roles}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`auth.apiKeysFromEnv: ${name} is not valid JSON. Set it to a JSON array of {name, sha256, roles}.`);
  }
  const parsed = z.array(ApiKeySchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`auth.apiKeysFromEnv: ${name}${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${issue.message}`);
  }
  return parsed.data;
}
