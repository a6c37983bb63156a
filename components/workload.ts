/**
 * How each catalog server runs once deployed, decided once for every target (Kubernetes, Docker):
 * - `built`: the server has its own `servers/<name>/Dockerfile`; its image is built from it and serves Streamable
 *   HTTP itself on `port` at `/mcp`.
 * - `image`: a prebuilt image (`transport.type: "image"`) serving Streamable HTTP at `transport.path`.
 * - `adapter`: stdio, http and sse servers run behind the gateway image in single-backend passthrough mode, so the
 *   central gateway always speaks Streamable HTTP to a workload. Its config holds just that server.
 *
 * Adapter replicas share a session key. The central gateway's session with an adapter is an HMAC-sealed id that any
 * replica holding the same key can open ({@link SESSION_SECRET_ENV}); replicas with keys of their own answer 404 to
 * each other's sessions, which ends the central gateway's upstream connection. Each adapter server gets a key of its
 * own, derived from the fleet's session secret ({@link adapterSessionSecret}), not the fleet's key itself: a stdio
 * server runs in its adapter's container as the same user and can read the adapter's environment, and with the
 * fleet's key it could seal session ids the central gateway accepts. Derived, so a stack needs no new setting and the
 * key is stable across deploys (no pod churn); one-way, so the fleet's key cannot be recovered from it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseGatewayConfig, type BackendConfigInput, type GatewayConfigInput } from "@mcp-fleet/gateway/config";
import { stringify } from "yaml";
import { createHash, createHmac } from "node:crypto";
import type { CatalogEntry } from "../servers/catalog/catalog.js";
import type { ServerSpec } from "../servers/catalog/spec.js";

/** Where the adapter's config is mounted, and its file name. */
export const ADAPTER_CONFIG_DIR = "/etc/mcp-fleet";
export const ADAPTER_CONFIG_FILE = "gateway.yaml";
/** The gateway binary inside the gateway image. */
export const GATEWAY_COMMAND = "mcp-fleet-gateway";
/** Working directory of the gateway image: where the fleet's `node_modules` and `servers/` live. */
export const GATEWAY_IMAGE_WORKDIR = "/app";
/** Environment variable the gateway image reads its session-sealing key from (central gateway and adapters). */
export const SESSION_SECRET_ENV = "MCP_FLEET_SESSION_SECRET";

/** The session key of a server's adapter replicas: HMAC-SHA256 of the server's name under the fleet's session secret, hex. */
export function adapterSessionSecret(fleetSessionSecret: string, server: string): string {
  return createHmac("sha256", fleetSessionSecret).update(`mcp-fleet adapter session key: ${server}`).digest("hex");
}

export type Workload =
  | { kind: "built"; image: string; dockerfile: string; path: "/mcp"; env: Record<string, string> }
  | { kind: "image"; image: string; path: string; env: Record<string, string> }
  | { kind: "adapter"; image: string; path: "/mcp"; config: GatewayConfigInput; configYaml: string; checksum: string; command: string[] };

export interface WorkloadContext {
  /** Repository root, where `servers/<name>/Dockerfile` is looked up. */
  root: string;
  /** The gateway image (runs adapters). */
  gatewayImage: string;
  /** Image of a built server: `<registry>/<k8sName>:<tag>`, e.g. an ECR repository URL. */
  builtImage: (spec: ServerSpec) => string;
  /** Address the adapter listens on inside its container or pod. @default "0.0.0.0" */
  listenHost?: string;
}

/** Repository-relative Dockerfile of a server, when it has one. */
export function serverDockerfile(root: string, spec: Pick<ServerSpec, "name">): string | undefined {
  const file = join("servers", spec.name, "Dockerfile");
  return existsSync(join(root, file)) ? file : undefined;
}

/** The adapter's config: one backend, passthrough naming, listening on the server's port. Validated by the gateway's schema. */
export function adapterConfig(spec: ServerSpec, listenHost = "0.0.0.0"): GatewayConfigInput {
  const t = spec.transport;
  const common = { name: spec.name, timeoutMs: spec.timeoutMs, tools: { allow: [...spec.tools.allow], deny: [...spec.tools.deny] }, isolation: spec.isolation };
  let backend: BackendConfigInput;
  switch (t.type) {
    case "stdio":
      // Secrets reach the adapter container as env vars (secretKeyRef); `inheritEnv` hands them to the child by name.
      backend = { ...common, transport: "stdio", command: t.command, args: [...t.args], env: { ...spec.env, ...t.env }, inheritEnv: [...spec.secrets], cwd: GATEWAY_IMAGE_WORKDIR };
      break;
    case "http":
    case "sse":
      backend = { ...common, transport: t.type, url: t.url };
      break;
    case "image":
      throw new Error(`Server "${spec.name}" runs its own image; it needs no adapter.`);
  }
  const config: GatewayConfigInput = {
    listen: { host: listenHost, port: spec.port, path: "/mcp" },
    naming: { separator: "__", passthrough: true },
    servers: [backend],
  };
  parseGatewayConfig(config, `adapter config of server "${spec.name}"`);
  return config;
}

/** sha256 of a text, hex: the checksum annotation that rolls pods when their config changes. */
export function checksum(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Decides how a server runs. */
export function workloadOf(entry: CatalogEntry, ctx: WorkloadContext): Workload {
  const { spec } = entry;
  const dockerfile = serverDockerfile(ctx.root, spec);
  if (dockerfile !== undefined) {
    return { kind: "built", image: ctx.builtImage(spec), dockerfile, path: "/mcp", env: { ...spec.env, HOST: ctx.listenHost ?? "0.0.0.0", PORT: String(spec.port) } };
  }
  if (spec.transport.type === "image") return { kind: "image", image: spec.transport.image, path: spec.transport.path, env: { ...spec.env } };
  const config = adapterConfig(spec, ctx.listenHost ?? "0.0.0.0");
  const configYaml = stringify(config);
  return {
    kind: "adapter",
    image: ctx.gatewayImage,
    path: "/mcp",
    config,
    configYaml,
    checksum: checksum(configYaml),
    command: [GATEWAY_COMMAND, "--config", `${ADAPTER_CONFIG_DIR}/${ADAPTER_CONFIG_FILE}`],
  };
}
