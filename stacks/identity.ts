/**
 * The gateway's identity settings of a stack: its config's `auth` and `rateLimits` from `mcp-fleet:auth` and
 * `mcp-fleet:rateLimits`, and the Secret keys that carry what must not be in the ConfigMap (API-key hashes, the Redis
 * URL). The hashes and the URL stay Pulumi secrets end to end: they only ever exist inside Outputs and the Secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { MCP_PATH } from "../servers/catalog/derive.js";
import type { GatewayIdentity } from "../components/gateway-config.js";
import type { StackConfig } from "./config.js";

import { API_KEYS_ENV, REDIS_URL_ENV } from "../components/gateway-secrets.js";

/** Gateway Secret keys (and environment variables): the API keys as JSON, the Redis URL (named in components/gateway-secrets.ts). */
export { API_KEYS_ENV, REDIS_URL_ENV };

/** The canonical resource URI of a stack's gateway: `auth.resource`, else `https://<domain>/mcp`. */
export function resourceOf(config: Pick<StackConfig, "auth" | "domain">): string | undefined {
  return config.auth?.resource ?? (config.domain !== undefined ? `https://${config.domain}${MCP_PATH}` : undefined);
}

/** The identity sections of the gateway config, and the extra Secret keys they read. */
export function gatewayIdentityOf(config: StackConfig): { identity?: GatewayIdentity; secretKeys: string[] } {
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

