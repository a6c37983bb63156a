/**
 * The central gateway's secrets, in one place: every environment variable its container reads from its Secret
 * (`<prefix>-gateway-keys`: a Pulumi-secret Kubernetes Secret, or in prod the ExternalSecret that syncs it from AWS
 * Secrets Manager), and the keys it presents to the servers' adapters. A new secret of the gateway is a new name
 * here, listed by the stack; the Deployment's `secretKeyRef`s, the Secret's keys, the Secrets Manager secrets and the
 * IRSA policy all follow from {@link gatewaySecretKeys}.
 *
 * Adapters authenticate the central gateway. In a cluster each adapter (the gateway image fronting one server)
 * takes API keys (`auth.mode: apiKey`): it holds only the SHA-256 of its key (`MCP_FLEET_API_KEYS` in its own
 * Secret), the central gateway holds the key (`MCP_FLEET_ADAPTER_KEY_<SERVER>` in its Secret) and sends it as
 * `Authorization: Bearer ...` (`credentials.headers` of that server in its config, a template over the variable).
 * A pod that gets past the NetworkPolicy still calls nothing. Each key is derived from the fleet's session secret
 * (HMAC-SHA256 with a label of its own, see {@link adapterApiKey}), so a stack needs no new setting, keys are stable
 * across deploys, one adapter's key opens no other, and the server inside an adapter, which can read the adapter's
 * environment, sees only a hash. On Docker (the dev stack, published on 127.0.0.1 only) adapters stay
 * `trustedNetwork` (see {@link adaptersAuthenticate}).
 */
import { createHash, createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { SESSION_SECRET_ENV, type FleetModel, type FleetNetwork, type ServerModel } from "../servers/catalog/derive.js";

export { SESSION_SECRET_ENV };
/** API keys as JSON `[{name, sha256, roles}]` (`auth.apiKeysFromEnv`): the central gateway's callers, or an adapter's one caller. */
export const API_KEYS_ENV = "MCP_FLEET_API_KEYS";
/** The Redis URL of shared rate limits and sessions (`rateLimits.store.urlFromEnv`). */
export const REDIS_URL_ENV = "MCP_FLEET_REDIS_URL";
/** The central gateway's key toward one adapter: `MCP_FLEET_ADAPTER_KEY_<SERVER>` (see {@link adapterKeyEnv}). */
export const ADAPTER_KEY_ENV_PREFIX = "MCP_FLEET_ADAPTER_KEY_";
/** Name and only role of the central gateway's key at an adapter (the adapter's access rule grants it everything). */
export const ADAPTER_CALLER = "mcp-fleet-gateway";

/** The central gateway's variable holding its key toward a server's adapter (server names are DNS labels: unique). */
export function adapterKeyEnv(server: string): string {
  return `${ADAPTER_KEY_ENV_PREFIX}${server.toUpperCase().replace(/-/g, "_")}`;
}

/** The central gateway's API key at a server's adapter: HMAC-SHA256 of the server's name under the fleet's session secret, hex. */
export function adapterApiKey(fleetSessionSecret: string, server: string): string {
  return createHmac("sha256", fleetSessionSecret).update(`mcp-fleet adapter api key: ${server}`).digest("hex");
}

/** What an adapter's `MCP_FLEET_API_KEYS` holds: its one caller, the central gateway, by the key's SHA-256 only. */
export function adapterApiKeysJson(key: string): string {
  return JSON.stringify([
    { name: ADAPTER_CALLER, sha256: createHash("sha256").update(key).digest("hex"), roles: [ADAPTER_CALLER] },
  ]);
}

/** Whether adapters on this network take API keys: in a cluster yes; on Docker (dev, 127.0.0.1 only) they stay `trustedNetwork`. */
export function adaptersAuthenticate(network: FleetNetwork): boolean {
  return network.kind === "cluster";
}

/** The central gateway's credentials toward a server's adapter: its key as a bearer token, by reference. */
export function adapterCredentials(server: string): { headers: Record<string, string> } {
  return { headers: { Authorization: `Bearer \${${adapterKeyEnv(server)}}` } };
}

/** The servers whose adapters the central gateway authenticates to. */
export function authenticatedAdapters(fleet: Pick<FleetModel, "servers" | "network">): ServerModel[] {
  return adaptersAuthenticate(fleet.network) ? fleet.servers.filter((s) => s.runs.kind === "adapter") : [];
}

/** Every key of the gateway's Secret, sorted: the stack's (`given`, the session secret at least) and one per authenticated adapter. */
export function gatewaySecretKeys(fleet: Pick<FleetModel, "servers" | "network">, given: readonly string[]): string[] {
  return [...new Set([...given, ...authenticatedAdapters(fleet).map((s) => adapterKeyEnv(s.spec.name))])].sort();
}

/**
 * The values of every key of {@link gatewaySecretKeys}, as Pulumi secrets: the given ones, and each adapter's key
 * derived from the session secret (`given.MCP_FLEET_SESSION_SECRET`) unless given.
 */
export function gatewaySecretValues(
  fleet: Pick<FleetModel, "servers" | "network">,
  given: Record<string, pulumi.Input<string>>,
): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = Object.fromEntries(
    Object.entries(given).map(([k, v]) => [k, pulumi.secret(v)]),
  );
  const session = given[SESSION_SECRET_ENV];
  for (const s of authenticatedAdapters(fleet)) {
    const env = adapterKeyEnv(s.spec.name);
    if (env in out || session === undefined) continue;
    const name = s.spec.name;
    out[env] = pulumi.secret(pulumi.output(session).apply((fleetKey) => adapterApiKey(fleetKey, name)));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
