/**
 * OAuth 2.1 resource server: bearer JWTs of one issuer, verified with `jose`.
 *
 * - Keys: the issuer's JWKS (`jwksUri`, else the `jwks_uri` of its metadata: RFC 8414, then OpenID discovery),
 *   fetched once and cached (`jwksCacheSeconds`); a token whose `kid` is unknown triggers one refetch, at most one
 *   per `jwksCooldownSeconds` (key rotation without restart, and no refetch storm from forged `kid`s).
 * - Claims: `iss` exactly the issuer, `aud` the gateway's canonical resource URI (RFC 8707; with or without a
 *   trailing slash), `exp` required and `nbf` honoured with `clockToleranceSeconds` of skew, an allow-list of
 *   asymmetric algorithms (so `alg: none` and HS256 "signed" with a public key are refused before any key is used).
 * - Verified tokens are cached until they expire (at most `jwksCacheSeconds`), so a client's next request costs a
 *   map lookup, not a signature check.
 *
 * Errors say what is wrong with a token, never what the token is.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { OAuthSchema } from "../config/auth.js";
import { isLoopbackHost } from "../config/auth.js";
import type { Principal } from "../context.js";
import type { z } from "zod";
import { makePrincipal } from "./principal.js";

type OAuthConfig = z.output<typeof OAuthSchema>;

/** Why a token is refused: `invalid_token` (401), `insufficient_scope` (403), or the keys cannot be had (503). */
export class TokenRefused extends Error {
  constructor(
    readonly error: "invalid_token" | "insufficient_scope" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "TokenRefused";
  }
}

/** Verified tokens remembered at once (the oldest forgotten first). */
const MAX_CACHED = 10_000;
const FETCH_TIMEOUT_MS = 5000;

type Keys = ReturnType<typeof createRemoteJWKSet>;

/** The claim at a dotted path (`realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A claim as a list of strings: an array of strings, or one space-separated string. */
function stringList(value: unknown): string[] {
  if (typeof value === "string") return value.split(" ").filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

function secure(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  return u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname));
}

/** Where an issuer's metadata may be (RFC 8414 section 3, then OpenID Connect Discovery). */
export function metadataCandidates(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  return [`${u.origin}/.well-known/oauth-authorization-server${path}`, `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`];
}

export class OAuthVerifier {
  private keys: Keys | undefined;
  private discovering: Promise<Keys> | undefined;
  private discoveryFailedAt = -Infinity;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private readonly audiences: string[];

  constructor(
    private readonly config: OAuthConfig,
    /** The canonical resource URI (`auth.resource`). */
    resource: string,
    private readonly now: () => number = Date.now,
  ) {
    const bare = resource.replace(/\/+$/, "");
    this.audiences = [bare, `${bare}/`];
  }

  /** The principal of a token verified before and not yet expired: no work beyond a lookup. */
  cached(token: string): Principal | undefined {
    const hit = this.cache.get(token);
    if (hit === undefined) return undefined;
    if (hit.until > this.now()) return hit.principal;
    this.cache.delete(token);
    return undefined;
  }

  /** Verifies a token; rejects with {@link TokenRefused}. */
  async verify(token: string): Promise<Principal> {
    const keys = await this.signingKeys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience: this.audiences,
        algorithms: [...this.config.algorithms],
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ["exp"],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw refusal(error);
    }
    const subject = typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
    const clientId = typeof payload.client_id === "string" ? payload.client_id : typeof payload.azp === "string" ? payload.azp : undefined;
    const who = subject ?? clientId;
    if (who === undefined) throw new TokenRefused("invalid_token", "the token names no subject (sub) or client (client_id)");
    const scopes = [...stringList(payload.scope), ...stringList(payload.scp)];
    const missing = this.config.requiredScopes.filter((s) => !scopes.includes(s));
    if (missing.length > 0) throw new TokenRefused("insufficient_scope", `the token lacks the scope${missing.length > 1 ? "s" : ""} ${missing.join(" ")}`);
    const principal = makePrincipal({
      id: `oauth:${this.config.issuer}#${who}`,
      kind: "oauth",
      roles: stringList(claimAt(payload, this.config.rolesClaim)),
      scopes,
      ...(clientId !== undefined ? { name: clientId } : {}),
      ...(subject !== undefined ? { subject } : {}),
    });
    this.remember(token, principal, Math.min((payload.exp as number) * 1000, this.now() + this.config.jwksCacheSeconds * 1000));
    return principal;
  }

  private remember(token: string, principal: Principal, until: number): void {
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(token, { principal, until });
  }

  /** The issuer's key set: from `jwksUri`, or discovered once (a failed discovery is retried at most once per cooldown). */
  private signingKeys(): Keys | Promise<Keys> {
    if (this.keys !== undefined) return this.keys;
    if (this.discovering !== undefined) return this.discovering;
    if (this.now() - this.discoveryFailedAt < this.config.jwksCooldownSeconds * 1000) {
      return Promise.reject(new TokenRefused("unavailable", `the signing keys of ${this.config.issuer} could not be found; retrying shortly`));
    }
    this.discovering = this.jwksUri().then(
      (uri) => {
        this.keys = createRemoteJWKSet(new URL(uri), {
          cacheMaxAge: this.config.jwksCacheSeconds * 1000,
          cooldownDuration: this.config.jwksCooldownSeconds * 1000,
          timeoutDuration: FETCH_TIMEOUT_MS,
        });
        this.discovering = undefined;
        return this.keys;
      },
      (error: unknown) => {
        this.discovering = undefined;
        this.discoveryFailedAt = this.now();
        throw new TokenRefused("unavailable", `the signing keys of ${this.config.issuer} could not be found: ${(error as Error).message}`);
      },
    );
    return this.discovering;
  }

  private async jwksUri(): Promise<string> {
    if (this.config.jwksUri !== undefined) return this.config.jwksUri;
    const problems: string[] = [];
    for (const url of metadataCandidates(this.config.issuer)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
        if (!response.ok) {
          problems.push(`${url}: HTTP ${response.status}`);
          continue;
        }
        const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
        if (metadata.issuer !== this.config.issuer) throw new Error(`${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${this.config.issuer}`);
        if (typeof metadata.jwks_uri !== "string" || !secure(metadata.jwks_uri)) throw new Error(`${url} has no https jwks_uri`);
        return metadata.jwks_uri;
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    throw new Error(problems.join("; "));
  }
}

/** A jose error as a refusal that says what is wrong (never the token). */
function refusal(error: unknown): TokenRefused {
  if (error instanceof TokenRefused) return error;
  if (error instanceof errors.JWTExpired) return new TokenRefused("invalid_token", "the token expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return new TokenRefused("invalid_token", "the token is not valid yet (nbf)");
    if (error.claim === "iss") return new TokenRefused("invalid_token", "the token was issued by another issuer (iss)");
    if (error.claim === "aud") return new TokenRefused("invalid_token", "the token was issued for another resource (aud)");
    return new TokenRefused("invalid_token", `the token's "${error.claim}" claim is not accepted (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenRefused("invalid_token", "the token's signature algorithm is not accepted");
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRefused("invalid_token", "no signing key of the issuer matches the token (kid)");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRefused("invalid_token", "the token's signature does not verify");
  if (error instanceof errors.JWKSTimeout) return new TokenRefused("unavailable", "the issuer's signing keys could not be fetched in time");
  if (error instanceof errors.JOSEError) return new TokenRefused("invalid_token", "the token is not a valid JWT");
  return new TokenRefused("unavailable", `the token cannot be verified now: ${(error as Error).message}`);
}
