/**
 * The gateway's identity settings of a stack: its config's `auth` and `rateLimits` from `mcp-fleet:auth` and
 * `mcp-fleet:rateLimits`, and the Secret keys that carry what must not be in the ConfigMap (API-key hashes, the Redis
 * URL). The hashes and the URL stay Pulumi secrets end to end: they only ever exist inside Outputs and the Secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { MCP_PATH } from "../servers/catalog/derive.js";
import type { GatewayIdentity } from "../components/gateway-config.js";
import type { Catalog } from "../servers/catalog/catalog.js";
import type { StackConfig } from "./config.js";

import { API_KEYS_ENV, REDIS_URL_ENV } from "../components/gateway-secrets.js";

/** Gateway Secret keys (and environment variables): the API keys as JSON, the Redis URL (named in components/gateway-secrets.ts). */
export { API_KEYS_ENV, REDIS_URL_ENV };

/** Gateway Secret key (and environment variable) holding the private key that signs callers' identity tokens. */
export const IDENTITY_KEY_ENV = "MCP_FLEET_IDENTITY_KEY";

/**
 * The servers whose spec asks for a signed identity token (`credentials.identity` signed-header), when the stack's gateway authenticates:
 * then the gateway signs their tokens and needs the secret `identitySigningKey`. Without auth it signs nothing.
 */
export function identityServers(config: Pick<StackConfig, "auth">, catalog: Pick<Catalog, "servers"> | undefined): string[] {
  if (config.auth === undefined || catalog === undefined) return [];
  return catalog.servers.filter((s) => s.spec.credentials.identity?.type === "signed-header").map((s) => s.spec.name);
}

/**
 * The variables of the client secrets the gateway exchanges tokens with (`credentials.identity` token-exchange, each
 * spec's `clientSecretEnv`), when the stack's gateway takes OAuth callers: each is a key of the stack's secret
 * `tokenExchangeSecrets` and of the gateway's Secret.
 */
export function exchangeSecretNames(config: Pick<StackConfig, "auth">, catalog: Pick<Catalog, "servers"> | undefined): string[] {
  if (config.auth?.mode !== "oauth" || catalog === undefined) return [];
  return [...new Set(catalog.servers.flatMap((s) => (s.spec.credentials.identity?.type === "token-exchange" ? [s.spec.credentials.identity.clientSecretEnv] : [])))].sort();
}

/** The canonical resource URI of a stack's gateway: `auth.resource`, else `https://<domain>/mcp`. */
export function resourceOf(config: Pick<StackConfig, "auth" | "domain">): string | undefined {
  return config.auth?.resource ?? (config.domain !== undefined ? `https://${config.domain}${MCP_PATH}` : undefined);
}

/** The identity sections of the gateway config, and the extra Secret keys they read. */
export function gatewayIdentityOf(config: StackConfig, catalog?: Pick<Catalog, "servers">): { identity?: GatewayIdentity; secretKeys: string[] } {
  const identity: GatewayIdentity = {};
  const secretKeys: string[] = [];
  const a = config.auth;
  if (a !== undefined) {
    const resource = resourceOf(config)!;
    const auth: NonNullable<GatewayIdentity["auth"]> = { mode: a.mode, resource };
    if (a.oauth !== undefined) {
      auth.oauth = { issuer: a.oauth.issuer, ...(a.oauth.jwksUri !== undefined ? { jwksUri: a.oauth.jwksUri } : {}), ...(a.oauth.rolesClaim !== undefined ? { rolesClaim: a.oauth.rolesClaim } : {}), ...(a.oauth.requiredScopes !== undefined ? { requiredScopes: [...a.oauth.requiredScopes] } : {}) };
    }
    if (a.apiKeys.length > 0) {
      auth.apiKeysFromEnv = API_KEYS_ENV;
      secretKeys.push(API_KEYS_ENV);
    }
    identity.auth = auth;
  }
  if (identityServers(config, catalog).length > 0) {
    // The key by reference only: its value lives in the gateway's Secret.
    identity.identity = { signingKeyEnv: IDENTITY_KEY_ENV };
    secretKeys.push(IDENTITY_KEY_ENV);
  }
  secretKeys.push(...exchangeSecretNames(config, catalog));
  const r = config.rateLimits;
  if (r !== undefined) {
    identity.rateLimits = {
      rules: r.rules.map((rule) => ({ ...rule })),
      ...(r.store === "redis" ? { store: { type: "redis" as const, urlFromEnv: REDIS_URL_ENV, onUnavailable: r.onUnavailable } } : {}),
    };
    if (r.store === "redis") secretKeys.push(REDIS_URL_ENV);
  }
  return Object.keys(identity).length > 0 ? { identity, secretKeys } : { secretKeys };
}

/** The value of the API-keys Secret key: every configured key with its (secret) hash, as JSON. */
export function apiKeysSecret(config: StackConfig, hashes: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
  const keys = config.auth?.apiKeys ?? [];
  return pulumi.secret(pulumi.all(keys.map((k) => hashes[k.name]!)).apply((values) => JSON.stringify(keys.map((k, i) => ({ name: k.name, sha256: values[i], roles: k.roles })))));
}

