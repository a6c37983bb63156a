/**
 * RFC 8693 token exchange toward one server: the caller's OAuth access token (the subject token) is exchanged at the
 * authorization server for a token issued to the server, with the gateway's client credentials (HTTP Basic). The
 * result is cached under a hash of the subject token until `expires_in` minus 30 s (60 s when the answer gives no
 * lifetime); concurrent calls of one caller share one exchange. A failure, a refusal or no answer within `timeoutMs`
 * rejects with an error naming the server and the cause, never the tokens.
 */
import { createHash } from "node:crypto";
import type { TokenExchangeConfig } from "../config/identity.js";

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const SKEW_MS = 30_000;
const DEFAULT_LIFETIME_MS = 60_000;
const MAX_CACHED = 10_000;

export class ExchangeFailed extends Error {}

interface Exchanged {
  token: string;
  expiresAt: number;
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

export class TokenExchanger {
  private readonly cache = new Map<string, Exchanged>();
  private readonly inflight = new Map<string, Promise<string>>();
  /** Exchanges sent to the authorization server (tests, logs). */
  exchanges = 0;

  constructor(
    private readonly server: string,
    private readonly config: TokenExchangeConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cached token for this subject token, if one is still good (no await on the hot path). */
  cached(subjectToken: string): string | undefined {
    const hit = this.cache.get(this.keyOf(subjectToken));
    return hit !== undefined && this.now() < hit.expiresAt ? hit.token : undefined;
  }

  private keyOf(subjectToken: string): string {
    return createHash("sha256").update(subjectToken).digest("base64url");
  }

  exchange(subjectToken: string): Promise<string> {
    const key = this.keyOf(subjectToken);
    const hit = this.cache.get(key);
    if (hit !== undefined && this.now() < hit.expiresAt) return Promise.resolve(hit.token);
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.request(subjectToken).then(
        (answer) => {
          this.inflight.delete(key);
          if (this.cache.size >= MAX_CACHED) this.evict();
          this.cache.set(key, answer);
          return answer.token;
        },
        (error: unknown) => {
          this.inflight.delete(key);
          throw error;
        },
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
  }

  private async request(subjectToken: string): Promise<Exchanged> {
    const c = this.config;
    const secret = this.env[c.clientSecretEnv];
    if (secret === undefined || secret === "") throw new ExchangeFailed(`the client secret variable ${c.clientSecretEnv} is unset`);
    const form = new URLSearchParams({ grant_type: GRANT, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, requested_token_type: ACCESS_TOKEN, audience: c.audience ?? this.server });
    if (c.resource !== undefined) form.set("resource", c.resource);
    if (c.scope !== undefined) form.set("scope", c.scope);
    this.exchanges += 1;
    let response: Response;
    try {
      response = await fetch(c.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: basic(c.clientId, secret) },
        body: form.toString(),
        redirect: "error",
        signal: AbortSignal.timeout(c.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      throw new ExchangeFailed(name === "TimeoutError" || name === "AbortError" ? `the token endpoint did not answer within ${c.timeoutMs} ms (timeoutMs)` : `the token endpoint is unreachable (${(error as Error).message})`);
    }
    let body: Record<string, unknown> = {};
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      body = {};
    }
    if (!response.ok) {
      const code = typeof body.error === "string" ? body.error.slice(0, 100) : undefined;
      throw new ExchangeFailed(`the token endpoint refused the exchange (HTTP ${response.status}${code !== undefined ? `, ${code}` : ""})`);
    }
    const token = body.access_token;
    if (typeof token !== "string" || token === "" || /[\r\n]/.test(token)) throw new ExchangeFailed("the token endpoint's answer has no access_token");
    const lifetime = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in * 1000 : DEFAULT_LIFETIME_MS + SKEW_MS;
    return { token, expiresAt: this.now() + Math.max(0, lifetime - SKEW_MS) };
  }
}
