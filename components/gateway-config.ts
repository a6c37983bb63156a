/**
 * Renders the gateway's config from the catalog: the one place where a server spec becomes a gateway backend.
 *
 * Two targets:
 * - `local` (`mcp-fleet dev`): stdio servers are spawned by the gateway on this machine (cwd = repository root,
 *   the spec's `env` and the transport's `env` merged), http/sse servers are reached as-is, and `image` servers are
 *   skipped (they only run when deployed). Secrets are never in the catalog nor in the rendered config: a stdio
 *   server's secrets are named in `inheritEnv`, and the gateway hands them on from its own environment (e.g.
 *   `GITHUB_TOKEN=... npm start`); a server with any secret unset there is skipped, with the reason, rather than
 *   started half-configured. {@link localSkips} lists the skipped
 *   servers so the caller can warn.
 * - `cluster`: every server is reached over Streamable HTTP at its Service,
 *   `http://<k8sName>.<namespace>.svc.cluster.local:<port><path>`; stdio and sse servers run in their own pods
 *   behind the gateway image in passthrough mode (path `/mcp`), image servers serve their own `transport.path`.
 *
 * The result is typed by the gateway's own schema and validated with it, so a drift between the two sides fails
 * here, naming the field.
 */
import { parseGatewayConfig, type BackendConfigInput, type GatewayConfigInput } from "@mcp-fleet/gateway/config";
import type { Catalog } from "../servers/catalog/catalog.js";
import { deriveNames } from "../servers/catalog/derive.js";
import type { ServerSpec } from "../servers/catalog/spec.js";

export type RenderTarget =
  | {
      kind: "local";
      /**
       * Where secret values are looked up.
       * @default process.env
       */
      env?: Readonly<Record<string, string | undefined>>;
      /** @default 8080 */
      port?: number;
    }
  | {
      kind: "cluster";
      /** Namespace the servers' Services live in. */
      namespace: string;
      /**
       * Prefix of Kubernetes names (see `deriveNames`).
       * @default "mcp"
       */
      prefix?: string;
      /** @default 8080 */
      port?: number;
    };

/** A server the local target leaves out, and why. */
export interface SkippedServer {
  name: string;
  file: string;
  reason: string;
}

/** Path of the MCP endpoint of the passthrough gateway that fronts a stdio or sse server in its pod. */
export const ADAPTER_PATH = "/mcp";

/** The servers `renderGatewayConfig(catalog, { kind: "local" })` leaves out, each with the reason and the fix. */
export function localSkips(catalog: Catalog, env: Readonly<Record<string, string | undefined>> = process.env): SkippedServer[] {
  const skipped: SkippedServer[] = [];
  for (const { spec, file } of catalog.servers) {
    const reason = localSkipReason(spec, env);
    if (reason !== undefined) skipped.push({ name: spec.name, file, reason });
  }
  return skipped;
}

function localSkipReason(spec: ServerSpec, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (spec.transport.type === "image") {
    return `runs from container image ${spec.transport.image}, which only runs when deployed (local runs spawn stdio servers and reach http/sse servers).`;
  }
  const missing = spec.secrets.filter((name) => (env[name] ?? "") === "");
  if (missing.length > 0) {
    return `needs secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, unset here. Export ${missing.length > 1 ? "them" : "it"} before \`npm start\` to run it locally.`;
  }
  return undefined;
}

/** The Service URL a cluster gateway uses for a server. */
export function clusterServiceUrl(spec: ServerSpec, namespace: string, prefix = "mcp"): string {
  const { k8sName } = deriveNames(spec, { prefix });
  const path = spec.transport.type === "image" ? spec.transport.path : ADAPTER_PATH;
  return `http://${k8sName}.${namespace}.svc.cluster.local:${spec.port}${path}`;
}

/**
 * The gateway config for a catalog and a target. Validated with the gateway's schema before it is returned.
 * Throws `ConfigError` (from the gateway) when the result is invalid, e.g. when no server can run locally.
 */
export function renderGatewayConfig(catalog: Catalog, target: RenderTarget): GatewayConfigInput {
  const servers: BackendConfigInput[] = [];
  for (const { spec } of catalog.servers) {
    const backend = target.kind === "local" ? localBackend(spec, catalog.root, target.env ?? process.env) : clusterBackend(spec, target.namespace, target.prefix ?? "mcp");
    if (backend !== undefined) servers.push(backend);
  }
  const config: GatewayConfigInput = {
    listen: { host: target.kind === "local" ? "127.0.0.1" : "0.0.0.0", port: target.port ?? 8080, path: "/mcp" },
    naming: { separator: "__", passthrough: false },
    servers,
  };
  const where = target.kind === "local" ? "local" : `cluster (namespace ${target.namespace})`;
  if (servers.length === 0) {
    const skipped = localSkips(catalog, target.kind === "local" ? (target.env ?? process.env) : {});
    const detail = skipped.length > 0 ? ` Skipped: ${skipped.map((s) => `${s.name} (${s.file}) ${s.reason}`).join(" ")}` : " The catalog is empty.";
    throw new Error(`No server of the catalog can run in the ${where} gateway config.${detail} Add a server under servers/ (\`mcp-fleet new\`).`);
  }
  parseGatewayConfig(config, `gateway config rendered for ${where}`);
  return config;
}

function common(spec: ServerSpec): Pick<BackendConfigInput, "name" | "timeoutMs" | "tools" | "isolation"> {
  return {
    name: spec.name,
    timeoutMs: spec.timeoutMs,
    tools: { allow: [...spec.tools.allow], deny: [...spec.tools.deny] },
    isolation: spec.isolation,
  };
}

function localBackend(spec: ServerSpec, root: string, env: Readonly<Record<string, string | undefined>>): BackendConfigInput | undefined {
  if (localSkipReason(spec, env) !== undefined) return undefined;
  const t = spec.transport;
  switch (t.type) {
    case "stdio":
      // Secrets by name only: the gateway hands them from its own environment to the child (`inheritEnv`), so the
      // rendered config (a file on disk under `npm start`) never holds a value.
      return {
        ...common(spec),
        transport: "stdio",
        command: t.command,
        args: [...t.args],
        env: { ...spec.env, ...t.env },
        inheritEnv: [...spec.secrets],
        cwd: root,
      };
    case "http":
    case "sse":
      return { ...common(spec), transport: t.type, url: t.url };
    case "image":
      return undefined;
  }
}

function clusterBackend(spec: ServerSpec, namespace: string, prefix: string): BackendConfigInput {
  return { ...common(spec), transport: "http", url: clusterServiceUrl(spec, namespace, prefix) };
}
