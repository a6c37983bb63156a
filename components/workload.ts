/**
 * What each server's workload runs, for every target (Kubernetes, Docker), from how the fleet model says it runs
 * (`ServerModel.runs`): a built image, a prebuilt image, or the gateway image as the server's adapter. An adapter is
 * the gateway in single-backend passthrough mode, so the central gateway always speaks Streamable HTTP to a
 * workload; its config holds just that server.
 *
 * Adapter replicas share a session key. The central gateway's session with an adapter is an HMAC-sealed id that
 * any replica holding the same key can open (`MCP_FLEET_SESSION_SECRET`); replicas with keys of their own answer 404
 * to each other's sessions, which ends the central gateway's upstream connection. (A stateless adapter would need
 * no key, but it has no stream for what a server sends outside a call: list-changed notifications, sampling,
 * elicitation and roots requests.) Each adapter server gets a key of its own, derived from the fleet's session
 * secret ({@link adapterSessionSecret}), not the fleet's key itself: a stdio server runs in its adapter's container
 * as the same user and can read the adapter's environment, and with the fleet's key it could seal session ids the
 * central gateway accepts. Derived, so a stack needs no new setting and the key is stable across deploys (no pod
 * churn); one-way, so the fleet's key cannot be recovered from it.
 *
 * Adapters authenticate their one caller, the central gateway, with an API key of their own (`adapterAuth:
 * "apiKey"`, every cluster): only the key's hash is in the adapter's environment (`MCP_FLEET_API_KEYS`), and its one
 * access rule grants that caller everything (the central gateway has already decided for its own caller). See
 * components/gateway-secrets.ts. The Docker dev stack keeps them `trustedNetwork`.
 */
import { createHash, createHmac } from "node:crypto";
import { parseGatewayConfig, type BackendConfigInput, type GatewayConfigInput } from "@mcp-fleet/gateway/config";
import { stringify } from "yaml";
import { DEFAULT_SEPARATOR, MCP_PATH, gatewayBackend, type ServerModel } from "../servers/catalog/derive.js";
import { ADAPTER_CALLER, API_KEYS_ENV } from "./gateway-secrets.js";

/** Where the gateway image finds its config (the central gateway's or an adapter's), and the file's name. */
export const GATEWAY_CONFIG_DIR = "/etc/mcp-fleet";
export const GATEWAY_CONFIG_FILE = "gateway.yaml";
/** The gateway binary inside the gateway image. */
export const GATEWAY_COMMAND = "mcp-fleet-gateway";
/** The command the gateway image runs, as the central gateway or as an adapter (a Kubernetes `command`: it replaces the ENTRYPOINT). */
export const GATEWAY_RUN_COMMAND: readonly string[] = [GATEWAY_COMMAND, "--config", `${GATEWAY_CONFIG_DIR}/${GATEWAY_CONFIG_FILE}`];
/** Working directory of the gateway image: where the fleet's `node_modules` and `servers/` live. */
export const GATEWAY_IMAGE_WORKDIR = "/app";

/** The session key of a server's adapter replicas: HMAC-SHA256 of the server's name under the fleet's session secret, hex. */
export function adapterSessionSecret(fleetSessionSecret: string, server: string): string {
  return createHmac("sha256", fleetSessionSecret).update(`mcp-fleet adapter session key: ${server}`).digest("hex");
}

export type Workload =
  | { kind: "built"; image: string; dockerfile: string; env: Record<string, string> }
  | { kind: "image"; image: string; env: Record<string, string> }
  | { kind: "adapter"; image: string; config: GatewayConfigInput; configYaml: string; checksum: string; command: string[] };

export interface WorkloadContext {
  /** The gateway image (runs adapters). */
  gatewayImage: string;
  /** Image of a built server, e.g. `<registry>/<k8sName>:<tag>` (an ECR repository URL). */
  builtImage: (server: ServerModel) => string;
  /** Address the workload listens on inside its container or pod. @default "0.0.0.0" */
  listenHost?: string;
  /** How adapters check their caller: the central gateway's API key, or nothing (a network no other client reaches). @default "apiKey" */
  adapterAuth?: AdapterAuth;
}

/** How an adapter checks its caller: `apiKey` (the central gateway's key, by hash from `MCP_FLEET_API_KEYS`), or `trustedNetwork` (nothing). */
export type AdapterAuth = "apiKey" | "trustedNetwork";

/** The `auth` and `access` of an adapter's config: its one caller may see and call everything of its one server. */
function adapterIdentity(auth: AdapterAuth): Pick<GatewayConfigInput, "auth"> & Pick<BackendConfigInput, "access"> {
  if (auth === "trustedNetwork") return { auth: { mode: "none", trustedNetwork: true } };
  return { auth: { mode: "apiKey", apiKeysFromEnv: API_KEYS_ENV }, access: [{ roles: [ADAPTER_CALLER], tools: ["*"], resources: ["*"], prompts: ["*"] }] };
}

/** The adapter's config: one backend, passthrough naming, listening on the server's port. Validated by the gateway's schema. */
export function adapterConfig(server: Pick<ServerModel, "spec" | "runs">, listenHost = "0.0.0.0", auth: AdapterAuth = "apiKey"): GatewayConfigInput {
  const { spec } = server;
  if (server.runs.kind !== "adapter") throw new Error(`Server "${spec.name}" runs its own image; it needs no adapter.`);
  const identity = adapterIdentity(auth);
  const backend = gatewayBackend({ ...spec, canary: undefined, fallback: {} }, { kind: "as-specified", cwd: GATEWAY_IMAGE_WORKDIR });
  // Access and rate limits are the central gateway's (it knows the caller): the adapter passes every call through.
  const { access: _access, rateLimits: _rateLimits, ...passthrough } = backend;
  const config: GatewayConfigInput = {
    listen: { host: listenHost, port: spec.port, path: MCP_PATH },
    naming: { separator: DEFAULT_SEPARATOR, passthrough: true },
    // An adapter fronts one server and cannot serve without it: not ready (out of its Service) while it is down.
    readiness: { requireBackends: true },
    // Only the fleet's gateway may connect to an adapter (its NetworkPolicy), and in a cluster it shows its key;
    // callers are authenticated, and their access decided, there.
    auth: identity.auth,
    // Secrets reach the adapter container as env vars (secretKeyRef); `inheritEnv` hands them to the child by name.
    // The canary split and capability fallback are the central gateway's: an adapter runs one side (its
    // Deployment's) of its one server.
    servers: [{ ...passthrough, ...(identity.access !== undefined ? { access: identity.access } : {}) }],
  };
  parseGatewayConfig(config, `adapter config of server "${spec.name}"`);
  return config;
}

/**
 * What a server's canary runs (its spec's `canary`): the stable workload with the canary's image, and its args: an
 * adapter's stdio server gets them in its own adapter config, a built or image server as container args.
 */
export function canaryWorkloadOf(server: ServerModel, workload: Workload): { image: string; adapter?: { configYaml: string; checksum: string }; args?: string[] } | undefined {
  const canary = server.spec.canary;
  if (canary === undefined || server.canary === undefined) return undefined;
  const image = canary.image ?? workload.image;
  if (workload.kind !== "adapter") return { image, ...(canary.args !== undefined ? { args: [...canary.args] } : {}) };
  const t = server.spec.transport;
  const spec = canary.args !== undefined && t.type === "stdio" ? { ...server.spec, transport: { ...t, args: [...canary.args] } } : server.spec;
  // The canary's adapter serves its one server; the split is the central gateway's, so no canary of its own here.
  const config = adapterConfig({ spec: { ...spec, canary: undefined }, runs: server.runs }, workload.config.listen?.host ?? "0.0.0.0", workload.config.auth?.mode === "apiKey" ? "apiKey" : "trustedNetwork");
  const configYaml = stringify(config);
  return { image, adapter: { configYaml, checksum: checksum(configYaml) } };
}

/** sha256 of a text, hex: the checksum annotation that rolls pods when their config changes. */
export function checksum(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The workload of a server. */
export function workloadOf(server: ServerModel, ctx: WorkloadContext): Workload {
  const { spec, runs } = server;
  switch (runs.kind) {
    case "built":
      return { kind: "built", image: ctx.builtImage(server), dockerfile: runs.dockerfile, env: { ...spec.env, HOST: ctx.listenHost ?? "0.0.0.0", PORT: String(spec.port) } };
    case "image":
      return { kind: "image", image: runs.image, env: { ...spec.env } };
    case "adapter": {
      const config = adapterConfig(server, ctx.listenHost ?? "0.0.0.0", ctx.adapterAuth ?? "apiKey");
      const configYaml = stringify(config);
      return { kind: "adapter", image: ctx.gatewayImage, config, configYaml, checksum: checksum(configYaml), command: [...GATEWAY_RUN_COMMAND] };
    }
  }
}
