/**
 * The argument types of the Pulumi component package: what Python, Go and C# programs pass to `McpServer`,
 * `McpGateway`, `Monitoring` and `Fleet`. The package's schema is inferred from these TypeScript types by
 * `@pulumi/pulumi/provider/experimental` (componentProviderHost), whose analyzer accepts interfaces, arrays, string
 * maps, `pulumi.Input`/`Output`, and named string-literal unions (enums), but no other unions, no intersections and
 * no anonymous object types. The components' own arguments hold catalog objects (zod-inferred types, discriminated
 * unions, functions), so the package declares plain interfaces here and turns them into the components' arguments
 * through the catalog's own validation: the same checks, the same messages, one source of truth for the rules.
 */
import { CatalogError, loadCatalogFromSpecs, type Catalog } from "../servers/catalog/catalog.js";
import type { ServerSpecInput } from "../servers/catalog/spec.js";

// Enums as `as const` objects: the form (with TypeScript enums) the schema analyzer turns into schema enums.

/** How a server runs: a local process (`stdio`), a remote Streamable HTTP or SSE endpoint, or its own image. */
export const TransportType = { Stdio: "stdio", Http: "http", Sse: "sse", Image: "image" } as const;
export type TransportType = (typeof TransportType)[keyof typeof TransportType];
/** One backend connection for all clients (`shared`), or one per client session (`session`). */
export const Isolation = { Shared: "shared", Session: "session" } as const;
export type Isolation = (typeof Isolation)[keyof typeof Isolation];
/** The MCP revision the gateway speaks to a server: probe (`auto`), or pinned. */
export const Protocol = { Auto: "auto", Mcp20251125: "2025-11-25", Mcp20260728: "2026-07-28" } as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

export interface ServerTransport {
  type: TransportType;
  /** stdio: the executable (e.g. `node`). */
  command?: string;
  /** stdio: its arguments; paths are relative to the gateway image's /app. */
  args?: string[];
  /** stdio: environment of the process. */
  env?: Record<string, string>;
  /** http, sse: the endpoint URL. */
  url?: string;
  /** image: the container image serving Streamable HTTP, pinned. */
  image?: string;
  /** image: path of the MCP endpoint. @default "/mcp" */
  path?: string;
}

export interface CpuMemory {
  cpu?: string;
  memory?: string;
}

export interface ServerResources {
  requests?: CpuMemory;
  limits?: CpuMemory;
}

/** Which of the server's tools the gateway exposes: globs of its own tool names. */
export interface ToolFilter {
  allow?: string[];
  deny?: string[];
}

export interface HealthCheck {
  /** What the gateway's active check sends: `ping` or `server/discover`. @default "ping" */
  method?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface ServerSlo {
  /** Highest acceptable ratio of failed calls (0-1). */
  errorRatio?: number;
  /** Highest acceptable p99 call latency in seconds. */
  p99LatencySeconds?: number;
}

/** Who sees and may call which tools, resources and prompts of a server (globs on its own names), by role. */
export interface AccessRule {
  /** Roles granted (`*`: any authenticated caller). */
  roles: string[];
  tools?: string[];
  resources?: string[];
  prompts?: string[];
}

/** What a rate limit's buckets are counted per. */
export const RateLimitKey = { Identity: "identity", Server: "server", Tool: "tool" } as const;
export type RateLimitKey = (typeof RateLimitKey)[keyof typeof RateLimitKey];

/** A rate limit of a server's calls (token bucket). */
export interface ServerRateLimit {
  key: RateLimitKey[];
  /** Tool-name glob counted; `*`: every call. */
  tool?: string;
  perMinute: number;
  burst?: number;
}

/** How the gateway presents itself to a remote server: header templates over the server's secrets. */
export interface ServerCredentials {
  headers?: Record<string, string>;
  /** The server sees the caller: a JWT the gateway signs per caller (servers/catalog/spec.ts documents it). */
  identity?: ServerIdentity;
}

/** How a server sees the caller (servers/catalog/spec.ts `credentials.identity`). */
export interface ServerIdentity {
  /** `signed-header` or `token-exchange`. */
  type: string;
  header?: string;
  ttlSeconds?: number;
  audience?: string;
  tokenEndpoint?: string;
  resource?: string;
  scope?: string;
  clientId?: string;
  clientSecretEnv?: string;
  timeoutMs?: number;
}

/** One MCP server of the fleet: the same fields as a `servers/<name>.ts` spec (servers/catalog/spec.ts). */
export interface Server {
  /** DNS-1123 label, unique in the fleet; prefixes its tools (`<name>__<tool>`). */
  name: string;
  description: string;
  /** Owning team (kebab-case). */
  owner: string;
  transport: ServerTransport;
  /** Port it serves Streamable HTTP on when deployed, 1024-65535, unique in the fleet. */
  port: number;
  env?: Record<string, string>;
  /** Names of secret environment variables (values never in the spec). */
  secrets?: string[];
  resources?: ServerResources;
  replicas?: number;
  tools?: ToolFilter;
  labels?: Record<string, string>;
  healthCheck?: HealthCheck;
  timeoutMs?: number;
  isolation?: Isolation;
  protocol?: Protocol;
  slo?: ServerSlo;
  access?: AccessRule[];
  rateLimits?: ServerRateLimit[];
  credentials?: ServerCredentials;
  // Resilience (servers/catalog/spec.ts documents each field).
  instances?: number;
  /** `least-outstanding`, `round-robin` or `weighted`. */
  balancing?: string;
  breaker?: ServerBreaker;
  retries?: ServerRetries;
  fallback?: Record<string, string[]>;
  canary?: ServerCanary;
}

/** The gateway's circuit breaker per endpoint of the server. */
export interface ServerBreaker {
  enabled?: boolean;
  failureThreshold?: number;
  openMs?: number;
  maxOpenMs?: number;
}

/** Retries of what is safe to retry. */
export interface ServerRetries {
  maxAttempts?: number;
  budgetRatio?: number;
}

/** A canary of the server: its own Deployment and a share of the sessions. */
export interface ServerCanary {
  weight: number;
  version: string;
  image?: string;
  args?: string[];
  url?: string;
  replicas?: number;
}

/** The Server interface covers every field of the spec: a field added to the spec and not here fails the build. */
type MissingFromServer = Exclude<keyof ServerSpecInput, keyof Server>;
const everySpecFieldCovered: [MissingFromServer] extends [never] ? true : MissingFromServer = true;
void everySpecFieldCovered;

/** Removes keys whose value is undefined (the spec schema is strict: an unknown key, even undefined, is refused). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The spec a Server describes, as a `servers/<name>.ts` file would default-export it. */
export function specOf(server: Server): ServerSpecInput {
  return defined({ ...server, transport: defined({ ...server.transport }) }) as unknown as ServerSpecInput;
}

/** Where a server came from, in error messages: `servers[1]/memory` (the catalog checks that a spec's name ends it). */
export const serverSource = (index: number, server: Pick<Server, "name">) => `servers[${index}]/${server.name}`;

/** An error of the package's arguments: one message listing every problem. */
export class PackageArgsError extends Error {
  constructor(component: string, problems: readonly string[]) {
    super(`${component} has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PackageArgsError";
  }
}

/**
 * The catalog of these servers, validated as the repository's catalog is (each spec and the fleet: unique names
 * and ports, tool globs, ...). `root` is where servers would have Dockerfiles: the package's own directory, which
 * has none, so stdio/http/sse servers run behind the gateway image's adapter and image servers run their image.
 */
export function catalogOf(component: string, servers: readonly Server[], root: string): Catalog {
  try {
    return loadCatalogFromSpecs(
      servers.map((s, i) => ({ file: serverSource(i, s), spec: specOf(s) })),
      { root },
    );
  } catch (error) {
    if (error instanceof CatalogError) throw new PackageArgsError(component, error.problems);
    throw error;
  }
}
