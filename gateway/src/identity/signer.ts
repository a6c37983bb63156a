/**
 * Identity tokens: a compact JWS (EdDSA or ES256) per caller and server, signed with node:crypto synchronously and
 * cached until a quarter of its life is left (at least 5 s before `exp`), so a caller's next calls cost a map
 * lookup, not a signature. Claims: `iss`, `aud` (the server), `sub`, `roles`, `scope`, `client_id` (OAuth) or
 * `key_name` (API key), `iat`, `exp`, `jti` (names the token, shared by the calls that reuse it).
 */
import { randomBytes, sign } from "node:crypto";
import type { Principal } from "../context.js";
import type { SigningKey } from "./keys.js";

/** Cached tokens per server at most; past it, expired ones go, then the oldest. */
const MAX_CACHED = 10_000;

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64url");

/** The claims of a principal's token. */
export function identityClaims(principal: Principal, settings: TokenSettings, nowSeconds: number): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: settings.issuer,
    aud: settings.audience,
    sub: principal.subject ?? principal.id,
    roles: [...principal.roles],
    iat: nowSeconds,
    exp: nowSeconds + settings.ttlSeconds,
    jti: randomBytes(12).toString("base64url"),
  };
  if (principal.scopes.length > 0) claims.scope = principal.scopes.join(" ");
  if (principal.name !== undefined) claims[principal.kind === "apiKey" ? "key_name" : "client_id"] = principal.name;
  return claims;
}

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const input = `${b64(JSON.stringify({ alg: key.alg, typ: "JWT", kid: key.kid }))}.${b64(JSON.stringify(claims))}`;
  const data = Buffer.from(input, "ascii");
  const signature = key.alg === "EdDSA" ? sign(null, data, key.privateKey) : sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

interface Cached<T> {
  value: T;
  /** Epoch ms after which a new token is signed. */
  renewAt: number;
  /** Epoch ms of `exp`. */
  expiresAt: number;
}

/** The tokens of one server, by principal id; `wrap` turns a token into what a call carries (made once per token). */
export class TokenCache<T> {
  private readonly entries = new Map<string, Cached<T>>();
  signed = 0;

  constructor(
    private readonly key: SigningKey,
    private readonly settings: TokenSettings,
    private readonly wrap: (token: string) => T,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  for(principal: Principal): T {
    const now = this.now();
    const hit = this.entries.get(principal.id);
    if (hit !== undefined && now < hit.renewAt) return hit.value;
    const seconds = Math.floor(now / 1000);
    const token = signJwt(this.key, identityClaims(principal, this.settings, seconds));
    this.signed += 1;
    const expiresAt = (seconds + this.settings.ttlSeconds) * 1000;
    const entry: Cached<T> = { value: this.wrap(token), expiresAt, renewAt: Math.min(expiresAt - (this.settings.ttlSeconds * 1000) / 4, expiresAt - 5000) };
    if (hit === undefined && this.entries.size >= MAX_CACHED) this.evict(now);
    this.entries.delete(principal.id);
    this.entries.set(principal.id, entry);
    return entry.value;
  }

  private evict(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    if (this.entries.size >= MAX_CACHED) this.entries.delete(this.entries.keys().next().value!);
  }
}
