/**
 * The server spec: how one MCP server of the fleet is described, once.
 *
 * Each `servers/<name>.ts` file default-exports `defineServer({...})`. Everything downstream (gateway config,
 * Pulumi resources, monitoring, policies, the local runner) is derived from these specs; nothing re-declares a
 * name, port, image or tool list. Values that are computed from a spec live in `derive.ts`.
 */
import { z } from "zod";

/** DNS-1123 label: what Kubernetes accepts as a Service name, and what we accept as a server name. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const QUANTITY_CPU = /^(\d+m|\d+(\.\d+)?)$/;
const QUANTITY_MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/;

const envMap = z.record(
  z.string().regex(ENV_NAME, "must be an UPPER_SNAKE_CASE environment variable name"),
  z.string(),
);

const StdioTransport = z
  .object({
    type: z.literal("stdio"),
    /** Executable, resolved on PATH (e.g. `node`). */
    command: z.string().min(1),
    /** Arguments. Paths are relative to the repository root. @default [] */
    args: z.array(z.string()).default([]),
    /** Environment for the process, on top of the spec's `env`. @default {} */
    env: envMap.default({}),
  })
  .strict();

const url = z
  .string()
  .url("must be an absolute URL such as https://mcp.example.com/mcp")
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL");

const HttpTransport = z.object({ type: z.literal("http"), /** Streamable HTTP endpoint. */ url }).strict();
const SseTransport = z.object({ type: z.literal("sse"), /** Legacy SSE endpoint (GET). */ url }).strict();
const ImageTransport = z
  .object({
    type: z.literal("image"),
    /** Container image serving Streamable HTTP, pinned by tag or digest (`registry/name:1.2.3`). */
    image: z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, "must be an image reference such as ghcr.io/org/server:1.2.0"),
    /** Path of the MCP endpoint inside the container. @default "/mcp" */
    path: z.string().startsWith("/", "must start with '/'").default("/mcp"),
  })
  .strict();

/** How the server runs. */
export const TransportSchema = z.discriminatedUnion("type", [StdioTransport, HttpTransport, SseTransport, ImageTransport], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? "must have `type` one of stdio, http, sse, image"
      : undefined,
});

const cpu = z.string().regex(QUANTITY_CPU, "must be a CPU quantity such as 100m or 0.5");
const memory = z.string().regex(QUANTITY_MEMORY, "must be a memory quantity such as 128Mi");

export const ResourcesSchema = z
  .object({
    /** @default { cpu: "50m", memory: "64Mi" } */
    requests: z.object({ cpu: cpu.default("50m"), memory: memory.default("64Mi") }).strict().default({ cpu: "50m", memory: "64Mi" }),
    /** @default { cpu: "500m", memory: "256Mi" } */
    limits: z.object({ cpu: cpu.default("500m"), memory: memory.default("256Mi") }).strict().default({ cpu: "500m", memory: "256Mi" }),
  })
  .strict();

// Identity and access. The shapes of the gateway's `servers[].access` and `servers[].rateLimits` (gateway/src/config/
// access.ts), written here because a server's image carries this file alone; `gatewayBackend` (derive.ts) is typed by
// the gateway's schema, so the two cannot drift apart without a build error.
const names = z.array(z.string().min(1)).default([]);
export const AccessRuleSchema = z
  .object({
    /** Roles granted (`"*"`: any authenticated caller). */
    roles: z.array(z.string().min(1)).min(1, "needs at least one role (\"*\" for any authenticated caller)"),
    /** Globs of the server's own tool names. @default [] */
    tools: names,
    /** Globs of resource URIs. @default [] */
    resources: names,
    /** Globs of the server's own prompt names. @default [] */
    prompts: names,
  })
  .strict();
const rateKey = z.enum(["identity", "server", "tool"], { error: "must be identity, server or tool" });
export const RateLimitSchema = z
  .object({
    /** One bucket per identity, per tool, or per combination (`[identity, tool]`). */
    key: z.union([rateKey, z.array(rateKey).min(1)]),
    /** Tool-name glob counted; `"*"` counts every call to the server. @default "*" */
    tool: z.string().min(1).default("*"),
    /** Calls regained per minute. */
    perMinute: z.number().positive().max(6_000_000),
    /** Calls at once before the rate applies. @default perMinute / 10 */
    burst: z.number().int().positive().optional(),
  })
  .strict();

const DEFAULT_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

export const ServerSpecSchema = z
  .object({
    /** Server name: lowercase letters, digits and `-`, at most 30 characters (`MAX_SERVER_NAME_LENGTH`), unique in the fleet. Prefixes its tools and prompts. */
    name: z.string().regex(DNS1123_LABEL, "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending alphanumeric)"),
    /** One line on what the server is for. */
    description: z.string().min(1, "must not be empty").max(300),
    /** Owning team, as a DNS-1123 label (becomes the `mcp-fleet.dev/owner` label). */
    owner: z.string().regex(DNS1123_LABEL, "must be a team name in kebab-case (e.g. platform)"),
    /** How it runs: `stdio`, `http`, `sse` or `image`. */
    transport: TransportSchema,
    /** Port it serves Streamable HTTP on when deployed (stdio servers behind the adapter too). Unique in the fleet. */
    port: z.number().int("must be a whole number").min(1024, "must be at least 1024 (unprivileged)").max(65535, "must be at most 65535"),
    /** Plain environment variables (never secrets: use `secrets`). @default {} */
    env: envMap.default({}),
    /** Names of secret environment variables; values come from the platform's secret store, never from the spec. @default [] */
    secrets: z.array(z.string().regex(ENV_NAME, "must be an UPPER_SNAKE_CASE environment variable name")).default([]),
    /** CPU and memory requests and limits. @default { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } } */
    resources: ResourcesSchema.default(DEFAULT_RESOURCES),
    /** Replicas when deployed. @default 1 */
    replicas: z.number().int().min(0).max(100).default(1),
    /** Which tools the gateway exposes: allow/deny globs on the server's own tool names. @default { allow: [], deny: [] } (all) */
    tools: z
      .object({ allow: z.array(z.string().min(1)).default([]), deny: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ allow: [], deny: [] }),
    /** Extra Kubernetes labels. @default {} */
    labels: z.record(z.string(), z.string()).default({}),
    /**
     * Health checks: the gateway's active check of each endpoint (`method` every `intervalSeconds`, within
     * `timeoutSeconds`; `failureThreshold` failures in a row open the endpoint's circuit), and the timing of the
     * Kubernetes liveness and readiness probes of the server's pod (an adapter's `/healthz` and `/readyz`, a TCP
     * connect for an image).
     */
    healthCheck: z
      .object({
        /** What the gateway's active check sends: MCP `ping`, or `server/discover` for 2026-07-28 servers. @default "ping" */
        method: z.enum(["ping", "server/discover"]).default("ping"),
        /** @default 10 */
        intervalSeconds: z.number().int().positive().default(10),
        /** @default 5 */
        timeoutSeconds: z.number().int().positive().default(5),
        /** @default 3 */
        failureThreshold: z.number().int().positive().default(3),
      })
      .strict()
      .default({ method: "ping", intervalSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
    /** Timeout of one call through the gateway, in milliseconds. @default 30000 */
    timeoutMs: z.number().int().positive().default(30_000),
    /** `shared`: one backend connection for all clients; `session`: one per client session. @default "shared" */
    isolation: z.enum(["shared", "session"]).default("shared"),
    /**
     * The MCP revision the gateway speaks to the server: `auto` probes with `server/discover` (a 2026-07-28 server
     * answers it) and falls back to `initialize` (2025-11-25) on any other answer or none within 5 s; `2025-11-25`
     * or `2026-07-28` pins it (a pinned server that does not speak it is not up). Clients reach it in either
     * revision whatever this says: the gateway translates. An `sse` transport speaks 2025 only. @default "auto"
     */
    protocol: z.enum(["auto", "2025-11-25", "2026-07-28"]).default("auto"),
    // Resilience: how the gateway balances, breaks, retries and falls back for this server, and its canary.
    /** stdio servers: processes per gateway (or adapter pod), each an endpoint the gateway balances over. @default 1 */
    instances: z.number().int().min(1).max(64).default(1),
    /** How the gateway picks one of the server's endpoints (pods, instances). @default "least-outstanding" */
    balancing: z.enum(["least-outstanding", "round-robin", "weighted"]).default("least-outstanding"),
    /** The gateway's circuit breaker per endpoint; unset fields keep the gateway's defaults (5 failed calls, 5 s open, up to 60 s). @default {} */
    breaker: z
      .object({ enabled: z.boolean().optional(), failureThreshold: z.number().int().positive().optional(), openMs: z.number().int().positive().optional(), maxOpenMs: z.number().int().positive().optional() })
      .strict()
      .default({}),
    /** Retries of what is safe to retry; unset fields keep the gateway's defaults (2 attempts, a 10 % budget). @default {} */
    retries: z
      .object({ maxAttempts: z.number().int().min(0).max(10).optional(), budgetRatio: z.number().min(0).max(1).optional() })
      .strict()
      .default({}),
    /** Per tool (its own name): servers of the fleet that serve it when this one is down, if their input schema is identical. @default {} */
    fallback: z.record(z.string().min(1), z.array(z.string().regex(DNS1123_LABEL, "must be a server name")).min(1)).default({}),
    /**
     * A canary: a second Deployment (its own image, version or args) that gets `weight` percent of the sessions,
     * each session sticky to its side; `weight` 0 and 100 give blue-green. Alerts fire when it fails or is slower
     * than the stable version.
     */
    canary: z
      .object({
        weight: z.number().int("must be a whole percent").min(0).max(100),
        /** What the canary runs (metrics say `version="canary"`; this goes in logs, status and the pods' labels). */
        version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be a version such as 1.3.0-rc.1"),
        /** Another image (built or image servers: the server's; adapters: the gateway image that runs it). @default the stable one's */
        image: z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, "must be an image reference such as ghcr.io/org/server:1.3.0").optional(),
        /** Other arguments: a stdio server's `args`, an image's container args. @default the stable ones */
        args: z.array(z.string()).optional(),
        /** Remote (http/sse) servers: the canary's URL. */
        url: url.optional(),
        /** @default 1 */
        replicas: z.number().int().min(0).max(100).default(1),
      })
      .strict()
      .optional(),
    /** Service-level objectives for alerts; unset fields use the fleet defaults. @default {} */
    slo: z
      .object({
        /** Highest acceptable ratio of failed calls (0-1). */
        errorRatio: z.number().gt(0).lt(1).optional(),
        /** Highest acceptable p99 call latency in seconds. */
        p99LatencySeconds: z.number().positive().optional(),
      })
      .strict()
      .default({}),
    // Identity and access: who sees and calls what (with auth on), how fast, and how the server is called.
    /**
     * Who sees and may call which of the server's tools, resources and prompts (globs on its own names; resources by
     * URI), by role (`"*"`: any authenticated caller). Deny by default: a gateway with auth shows nothing of a server
     * without rules. @default []
     */
    access: z.array(AccessRuleSchema).default([]),
    /** Rate limits of calls to this server: token buckets per identity, per tool or both. @default [] */
    rateLimits: z.array(RateLimitSchema).default([]),
    /**
     * How the gateway presents itself (and the caller) to the server. `headers`: header templates over the spec's
     * `secrets` for a remote (`http`/`sse`) server (`{ Authorization: "Bearer ${LINEAR_API_KEY}" }`), resolved where
     * the server is reached, never written out. `identity`: the server must see who calls; the gateway never passes
     * the client's own token on, it sends a short-lived JWT it signs per caller (`signed-header`: the
     * `X-MCP-Fleet-Identity` header, or `_meta["io.mcp-fleet/identity"]` for a stdio server), which the server
     * verifies against the gateway's `/.well-known/jwks.json` (`iss` the gateway's resource URI, `aud` the server's
     * name, `sub`, `roles`, `scope`, `client_id` or `key_name`, `exp`).
     * @default { headers: {} }
     */
    credentials: z
      .object({
        headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name"), z.string()).default({}),
        identity: z
          .discriminatedUnion("type", [
            z
              .object({
                type: z.literal("signed-header"),
                /** @default "X-MCP-Fleet-Identity" */
                header: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name such as X-MCP-Fleet-Identity").optional(),
                /** Lifetime of each token in seconds (10-3600). @default 60 */
                ttlSeconds: z.number().int().min(10).max(3600).optional(),
                /** The token's `aud`. @default the server's name */
                audience: z.string().min(1).optional(),
              })
              .strict(),
            /**
             * RFC 8693: the caller's OAuth access token exchanged at `tokenEndpoint` for one issued to this server,
             * sent as `Authorization: Bearer` (http/sse servers). The client secret is the gateway's, named by
             * `clientSecretEnv` (the stack's secret `tokenExchangeSecrets.<NAME>`), not one of the server's `secrets`.
             */
            z
              .object({
                type: z.literal("token-exchange"),
                tokenEndpoint: z.string().url(),
                /** @default the server's name */
                audience: z.string().min(1).optional(),
                resource: z.string().url().optional(),
                scope: z.string().min(1).optional(),
                clientId: z.string().min(1),
                clientSecretEnv: z.string().regex(ENV_NAME, "must be an UPPER_SNAKE_CASE environment variable name"),
                /** @default 5000 */
                timeoutMs: z.number().int().positive().max(60_000).optional(),
              })
              .strict(),
          ])
          .optional(),
      })
      .strict()
      .default({ headers: {} }),
  })
  .strict();

/** A spec as written in `servers/*.ts` (defaults optional). */
export type ServerSpecInput = z.input<typeof ServerSpecSchema>;
/** A validated spec with defaults applied. */
export type ServerSpec = z.output<typeof ServerSpecSchema>;
export type Transport = ServerSpec["transport"];
export type TransportType = Transport["type"];

/**
 * Declares a server. Typed at authoring time; validated (with the file name in errors) when the catalog loads.
 * Returns its input unchanged so a bad spec is reported by the catalog, alongside every other problem.
 */
export function defineServer(spec: ServerSpecInput): ServerSpecInput {
  return spec;
}
