/**
 * Renders the central gateway's config. Each backend comes from `gatewayBackend` (servers/catalog/derive.ts), the one
 * place a spec becomes gateway config. Two renderings:
 * - {@link localGatewayConfig} (`mcp-fleet dev`): stdio servers are spawned by the gateway on this machine (cwd =
 *   repository root, the spec's `env` and the transport's `env` merged), http/sse servers are reached as-is, and
 *   `image` servers are skipped (they only run when deployed). Secrets are never in the catalog nor in the rendered
 *   config: a stdio server's secrets are named in `inheritEnv`, and the gateway hands them on from its own
 *   environment (e.g. `GITHUB_TOKEN=... npm start`); a server with any secret unset there is skipped, with the
 *   reason, rather than started half-configured, and so is a stdio server whose command is not on `PATH` (rather
 *   than failing with the child's `ENOENT`). {@link localSkips} lists the skipped servers so the caller can warn.
 * - {@link deployedGatewayConfig} (Kubernetes, Docker): every server is reached over Streamable HTTP at its URL in the
 *   fleet model (its Service, or its container's alias).
 *
 * The result is typed by the gateway's own schema and validated with it, so a drift between the two sides fails
 * here, naming the field.
 */
import { parseGatewayConfig, type BackendConfigInput, type GatewayConfigInput } from "@mcp-fleet/gateway/config";
import type { Catalog, CatalogEntry } from "../servers/catalog/catalog.js";
import { missingCommand, missingCommandReason } from "../servers/catalog/commands.js";
import { DEFAULT_SEPARATOR, GATEWAY_PORT, MCP_PATH, gatewayBackend, type FleetModel } from "../servers/catalog/derive.js";
import { adapterCredentials, authenticatedAdapters } from "./gateway-secrets.js";

/**
 * Who may reach the central gateway, what each caller may do, at what rate, on the record: the sections of its
 * config that come from the stack (the servers' own `access` and `rateLimits` come from their specs); `identity`
 * names the variable of the key that signs callers' tokens (`credentials.identity`), never the key.
 */
export type GatewayIdentity = Pick<GatewayConfigInput, "auth" | "rateLimits" | "audit" | "identity">;

/**
 * A gateway without authentication off loopback: only for one no client reaches directly (an in-cluster gateway
 * without an Ingress, behind its Service; the dev container published on 127.0.0.1). The policy pack refuses it
 * behind an Ingress. (Adapters in a cluster take the central gateway's key: components/gateway-secrets.ts.)
 */
/** The variable a keyed local gateway reads its identity signing key from (`npm start -- --api-key-env`). */
export const LOCAL_IDENTITY_KEY_ENV = "MCP_FLEET_IDENTITY_KEY";

export const UNAUTHENTICATED_INTERNAL = { mode: "none", trustedNetwork: true } as const;

export interface LocalTarget {
  /**
   * Where secret values are looked up.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where stdio commands are looked up (the gateway hands its PATH to its children). @default process.env.PATH */
  path?: string;
  /** @default GATEWAY_PORT (8080) */
  port?: number;
  /** Authentication of the local gateway (e.g. an API key, `npm start -- --api-key-env`). @default none (loopback) */
  auth?: GatewayConfigInput["auth"];
}

/** A server the local target leaves out, and why. */
export interface SkippedServer {
  name: string;
  file: string;
  reason: string;
}

/** The servers `localGatewayConfig(catalog)` leaves out, each with the reason and the fix. */
export function localSkips(catalog: Pick<Catalog, "servers" | "root">, env: Readonly<Record<string, string | undefined>> = process.env, path: string | undefined = process.env.PATH): SkippedServer[] {
  const skipped: SkippedServer[] = [];
  for (const entry of catalog.servers) {
    const reason = localSkipReason(entry, catalog.root, env, path);
    if (reason !== undefined) skipped.push({ name: entry.spec.name, file: entry.file, reason });
  }
  return skipped;
}

function localSkipReason(entry: CatalogEntry, root: string, env: Readonly<Record<string, string | undefined>>, path: string | undefined): string | undefined {
  const { spec } = entry;
  if (spec.transport.type === "image") {
    return `runs from container image ${spec.transport.image}, which only runs when deployed (local runs spawn stdio servers and reach http/sse servers).`;
  }
  const missing = spec.secrets.filter((name) => (env[name] ?? "") === "");
  if (missing.length > 0) {
    return `needs secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, unset here. Export ${missing.length > 1 ? "them" : "it"} before \`npm start\` to run it locally.`;
  }
  const command = missingCommand(entry, { path, cwd: root });
  if (command !== undefined) return `${missingCommandReason(entry, command)}.`;
  return undefined;
}

/**
 * The gateway config of a local run on 127.0.0.1. Validated with the gateway's schema before it is returned.
 * Throws when the result is invalid, e.g. when no server can run locally.
 */
export function localGatewayConfig(catalog: Catalog, target: LocalTarget = {}): GatewayConfigInput {
  const env = target.env ?? process.env;
  const path = target.path ?? process.env.PATH;
  const servers = catalog.servers.filter((entry) => localSkipReason(entry, catalog.root, env, path) === undefined).map(({ spec }) => withoutRelay(gatewayBackend(spec, { kind: "as-specified", cwd: catalog.root })));
  if (servers.length === 0) {
    const skipped = localSkips(catalog, env, path);
    const detail = skipped.length > 0 ? ` Skipped: ${skipped.map((s) => `${s.name} (${s.file}) ${s.reason}`).join(" ")}` : " The catalog is empty.";
    throw new Error(`No server of the catalog can run in the local gateway config.${detail} Add a server under servers/ (\`mcp-fleet new\`).`);
  }
  const port = target.port ?? GATEWAY_PORT;
  // A keyed local gateway signs callers' identity tokens with a key of the run's own (cli/local-auth.ts makes one).
  const signs = target.auth !== undefined && servers.some((s) => s.credentials?.identity?.type === "signed-header");
  const identity = signs ? { identity: { signingKeyEnv: LOCAL_IDENTITY_KEY_ENV, issuer: `http://127.0.0.1:${port}${MCP_PATH}` } } : {};
  return finish({ host: "127.0.0.1", port, path: MCP_PATH }, servers, "local", target.auth !== undefined ? { auth: target.auth, ...identity } : {});
}

/** A local gateway's callers are its own (no gateway in front of it relays to it): it signs or exchanges, never relays. */
function withoutRelay(backend: BackendConfigInput): BackendConfigInput {
  const identity = backend.credentials?.identity;
  if (identity?.relay !== true) return backend;
  const { relay: _relay, ...own } = identity;
  return { ...backend, credentials: { ...backend.credentials, identity: own } } as BackendConfigInput;
}

/** What a deployed gateway config carries besides its servers and identity. */
export interface DeployedGatewayOptions {
  /** OpenTelemetry export (the stack's `tracing`): the collector's OTLP/HTTP traces endpoint. @default none */
  tracing?: GatewayConfigInput["tracing"];
}

/**
 * The central gateway's config of a deployed fleet: every server at its URL. In a cluster that is the server's
 * headless Service with DNS discovery (one endpoint per ready pod, balanced and broken per pod; a pod going away
 * is drained), plus its canary's Service (on Docker, its canary's container). Validated with the gateway's schema.
 */
export function deployedGatewayConfig(fleet: Pick<FleetModel, "servers" | "network" | "gateway">, identity: GatewayIdentity = {}, options: DeployedGatewayOptions = {}): GatewayConfigInput {
  const where = fleet.network.kind === "cluster" ? `cluster (namespace ${fleet.network.namespace})` : "docker";
  if (fleet.servers.length === 0) throw new Error(`No server of the catalog can run in the ${where} gateway config. The catalog is empty. Add a server under servers/ (\`mcp-fleet new\`).`);
  // In a cluster the gateway shows each adapter its key (components/gateway-secrets.ts), from its environment.
  const keyed = new Set(authenticatedAdapters(fleet).map((s) => s.spec.name));
  const servers = fleet.servers.map((s) => {
    const backend = gatewayBackend(s.spec, {
      kind: "url",
      url: s.headless?.url ?? s.url,
      ...(s.headless !== undefined ? { dns: true } : {}),
      ...(s.runs.kind === "adapter" ? { viaAdapter: true } : {}),
      // Its canary: a Deployment and Service in Kubernetes, a container of its own on the Docker network.
      ...(s.canary !== undefined ? { canaryUrl: s.canary.url } : {}),
    });
    if (!keyed.has(s.spec.name) || backend.transport !== "http") return backend;
    const credentials = adapterCredentials(s.spec.name);
    return { ...backend, credentials: { ...backend.credentials, headers: { ...backend.credentials?.headers, ...credentials.headers } } };
  });
  return finish({ host: "0.0.0.0", port: fleet.gateway.port, path: fleet.gateway.path }, servers, where, { auth: UNAUTHENTICATED_INTERNAL, ...identity }, options.tracing);
}

function finish(listen: { host: string; port: number; path: string }, servers: BackendConfigInput[], where: string, identity: GatewayIdentity = {}, tracing?: GatewayConfigInput["tracing"]): GatewayConfigInput {
  const config: GatewayConfigInput = { listen, naming: { separator: DEFAULT_SEPARATOR, passthrough: false }, ...identity, ...(tracing !== undefined ? { tracing } : {}), servers };
  parseGatewayConfig(config, `gateway config rendered for ${where}`);
  return config;
}
