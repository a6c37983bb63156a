/** The backends (`servers:`): one entry per MCP server, by transport. */
import { z } from "zod";
import { AccessRuleSchema, CredentialsSchema, ServerRateLimitSchema } from "./access.js";
import { ENV_NAME, SERVER_NAME } from "./names.js";
import { instancesField, remoteEndpointFields, resilienceFields } from "./resilience.js";

const globList = z.array(z.string().min(1)).default([]);

/** Which of a backend's tools the gateway exposes: a tool is exposed when it matches `allow` (or `allow` is empty) and matches no `deny` glob. */
export const ToolFilterSchema = z
  .object({
    /** Globs (`*` and `?`) of tool names to expose. @default [] (all) */
    allow: globList,
    /** Globs of tool names to hide, applied after `allow`. @default [] */
    deny: globList,
  })
  .strict();

const commonServerFields = {
  /** Backend name; prefixes every exposed name (`<name><separator><tool>`). DNS-1123 label. */
  name: z.string().regex(SERVER_NAME, "must be a DNS-1123 label: lowercase letters, digits and '-', 1-63 characters"),
  /** Timeout of one call to this backend, in milliseconds. @default 30000 */
  timeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
  /**
   * How long a connection attempt may take (process start-up and the initialize handshake), in milliseconds. A
   * backend not up within this time of starting or going down counts as down (status, health) while it retries.
   * @default 30000
   */
  startTimeoutMs: z.number().int().positive().max(600_000).default(30_000),
  /** Tool filter. @default {allow: [], deny: []} */
  tools: ToolFilterSchema.prefault({}),
  /**
   * `shared`: one backend connection serves every client session (the backend's state is shared by design).
   * `session`: each client session gets its own backend connection (bounded by `maxSessions` of the gateway).
   * @default "shared"
   */
  isolation: z.enum(["shared", "session"]).default("shared"),
  /**
   * With `isolation: session`: at most this many per-session connections (child processes for stdio) at once; a
   * further session's call gets an error naming this field until one of them ends. @default 64
   */
  maxConnections: z.number().int().positive().max(10_000).default(64),
  // Resilience (config/resilience.ts): balancing, health checks, breakers, retries, fallback, canary.
  ...resilienceFields,
  // --- The MCP revision spoken to the backend (2026-07-28 support) ---
  /**
   * Which MCP revision the gateway speaks to this backend. `auto`: probe with `server/discover`; a 2026-07-28 answer
   * makes it a 2026-07-28 backend, any other answer or no answer within 5 s (at most `startTimeoutMs`) falls back to
   * `initialize` (2025-11-25); the verdict is kept per server for the gateway process. `2025-11-25`: `initialize`
   * only. `2026-07-28`: 2026-07-28 only (a server that does not answer `server/discover` with it is not up). Legacy
   * SSE servers always speak 2025. @default "auto"
   */
  protocol: z.enum(["auto", "2025-11-25", "2026-07-28"]).default("auto"),
  // --- end of the protocol block ---
  // Identity and access (auth/, access/, limits/): who sees and calls what of this server, and how fast.
  /** Who sees and may call what (with auth on; deny by default: a server without rules shows nothing). @default [] */
  access: z.array(AccessRuleSchema).default([]),
  /** Rate limits of this server's calls (on top of `rateLimits.rules`). @default [] */
  rateLimits: z.array(ServerRateLimitSchema).default([]),
};

export const StdioServerSchema = z
  .object({
    ...commonServerFields,
    transport: z.literal("stdio"),
    /** Executable to spawn (in its own process group). */
    command: z.string().min(1),
    /** @default [] */
    args: z.array(z.string()).default([]),
    /** Extra environment of the child; the gateway's own environment is not inherited beyond PATH, HOME, NODE_OPTIONS, TMPDIR, LANG and `inheritEnv`. @default {} */
    env: z.record(z.string().regex(ENV_NAME, "must be an environment variable name"), z.string()).default({}),
    /**
     * Names of the gateway's own environment variables passed through to the child, read when it is spawned. Made
     * for secrets: in a pod the adapter container gets the server's secrets (`secretKeyRef`) and hands them on
     * without the config ever holding a value. A name unset in the gateway's environment is left out (logged once,
     * at warn, by name). `env` wins over an inherited variable of the same name. @default []
     */
    inheritEnv: z.array(z.string().regex(ENV_NAME, "must be an environment variable name: letters, digits and _, not starting with a digit (e.g. GITHUB_TOKEN)")).default([]),
    /** Working directory of the child. @default the gateway's working directory */
    cwd: z.string().optional(),
    /** Restart with exponential backoff when the child exits. */
    restart: z
      .object({
        /** @default 250 */
        initialDelayMs: z.number().int().positive().default(250),
        /** @default 10000 */
        maxDelayMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    // Resilience: processes of this server, each an endpoint.
    ...instancesField,
    /** How the server sees the caller (`identity`: the signed token goes in each request's `_meta`); no `headers` for stdio. @default { headers: {} } */
    credentials: CredentialsSchema.prefault({}),
  })
  .strict();

const remoteServerFields = {
  /** Endpoint URL (`http:` or `https:`). */
  url: z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL"),
  /** Extra request headers (e.g. authorization for a remote server). @default {} */
  headers: z.record(z.string(), z.string()).default({}),
  // Resilience: more endpoints (a list, or the addresses of a DNS name).
  ...remoteEndpointFields,
  /** How the gateway presents itself (and the caller) to this server: header templates over its environment. @default { headers: {} } */
  credentials: CredentialsSchema.prefault({}),
};

export const HttpServerSchema = z
  .object({
    ...commonServerFields,
    transport: z.literal("http"),
    ...remoteServerFields,
    /**
     * Pipeline quick 2025 requests on HTTP/1.1 (several on one connection, sent together, answered in order): only
     * toward a server that handles pipelined requests at once, as mcp-fleet's own gateway does (the adapter in
     * front of every server in the cluster, where the rendered config turns it on). Many servers answer pipelined
     * requests one at a time, which makes quick calls wait behind slow ones. @default false
     */
    pipelining: z.boolean().default(false),
  })
  .strict();
export const SseServerSchema = z
  .object({
    ...commonServerFields,
    /** The HTTP+SSE transport predates 2026-07-28: `auto` means 2025 here. @default "auto" */
    protocol: z.enum(["auto", "2025-11-25"], { error: 'must be "auto" or "2025-11-25": the HTTP+SSE transport predates 2026-07-28' }).default("auto"),
    transport: z.literal("sse"),
    ...remoteServerFields,
  })
  .strict();

export const BackendSchema = z.discriminatedUnion("transport", [StdioServerSchema, HttpServerSchema, SseServerSchema]);
