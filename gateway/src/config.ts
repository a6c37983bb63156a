/**
 * The gateway's configuration: the one schema both sides agree on.
 *
 * The gateway reads it from a YAML or JSON file (`mcp-fleet-gateway --config FILE`); the IaC side renders it from
 * the server catalog and imports {@link GatewayConfig} from here, so a change on either side breaks the other's
 * build instead of a deploy.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { isIP } from "node:net";
import { z } from "zod";

/** Tool, prompt and resource names clients accept: the MCP spec's tool-name rule. Every exposed name matches it. */
export const EXPOSED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Longest exposed name (the bound in {@link EXPOSED_NAME_PATTERN}). */
export const MAX_EXPOSED_NAME_LENGTH = 64;
/** Between the server name and the backend's own name in exposed names (`memory__read_graph`), unless configured. */
export const DEFAULT_SEPARATOR = "__";
const SERVER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `10.1.2.3`, `::1`, `10.0.0.0/8`, `fd00::/8`. */
export function isAddressOrRange(text: string): boolean {
  const [address, bits, extra] = text.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

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
};

export const HttpServerSchema = z
  .object({ ...commonServerFields, transport: z.literal("http"), ...remoteServerFields })
  .strict();
export const SseServerSchema = z.object({ ...commonServerFields, transport: z.literal("sse"), ...remoteServerFields }).strict();

export const BackendSchema = z.discriminatedUnion("transport", [StdioServerSchema, HttpServerSchema, SseServerSchema]);

export const GatewayConfigSchema = z
  .object({
    listen: z
      .object({
        /** @default "127.0.0.1" */
        host: z.string().min(1).default("127.0.0.1"),
        /** @default 8080 */
        port: z.number().int().min(0).max(65535).default(8080),
        /** Path of the MCP endpoint. @default "/mcp" */
        path: z.string().startsWith("/").default("/mcp"),
      })
      .strict()
      .prefault({}),
    naming: z
      .object({
        /** Between server name and tool name. @default "__" ({@link DEFAULT_SEPARATOR}) */
        separator: z.string().regex(/^[a-zA-Z0-9_-]{1,4}$/, "must be 1-4 characters of [a-zA-Z0-9_-]").default(DEFAULT_SEPARATOR),
        /** Expose names unprefixed; only valid with exactly one backend. @default false */
        passthrough: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        /** `stateful`: `Mcp-Session-Id` sessions; `stateless`: every POST stands alone. @default "stateful" */
        mode: z.enum(["stateful", "stateless"]).default("stateful"),
        /**
         * An idle session expires after this many seconds, on every replica: its sealed id carries the expiry, and a
         * session in use gets a renewed id (`Mcp-Session-Id` on the answer) before half of it has passed. @default 1800
         */
        idleTimeoutSeconds: z.number().int().positive().max(7 * 86_400).default(1800),
        /**
         * Sessions held in this replica's memory at once. Sessions are rebuilt from their sealed id, so when the table
         * is full the least recently used idle one is evicted (not ended); only when every session is busy does a new
         * one get 503. @default 10000
         */
        maxSessions: z.number().int().positive().default(10_000),
        /** Per client (its address before authentication, its identity after): bounds on creating sessions. */
        perClient: z
          .object({
            /** New sessions per minute per client (a token bucket refilled evenly). @default 60 */
            createPerMinute: z.number().int().positive().default(60),
            /** Sessions a client may create at once before the per-minute rate applies. @default 30 */
            burst: z.number().int().positive().default(30),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        /** Largest accepted request body in bytes; larger gets 413. @default 4194304 */
        maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
        /** Deepest nesting of objects and arrays in a request body; deeper gets 400 with -32600. @default 64 */
        maxJsonDepth: z.number().int().positive().max(1000).default(64),
        /** Most messages in one JSON-RPC batch (protocol 2025-03-26 only); more gets 400 with -32600. @default 100 */
        maxBatchSize: z.number().int().positive().default(100),
        /**
         * Largest answer to one POST in bytes (all its results); a result that would exceed it is replaced by a
         * -32603 error naming this setting. @default 16777216
         */
        maxResponseBytes: z.number().int().positive().default(16 * 1024 * 1024),
        /** Client connections open at once; a further one gets 503 and is closed. @default 4096 */
        maxConnections: z.number().int().positive().default(4096),
        /**
         * Proxies in front of the gateway (IP addresses or CIDR ranges, e.g. `10.0.0.0/8`) whose `X-Forwarded-For`
         * is believed: the client address (for per-client limits) is then the last address in that header that is
         * not a trusted proxy. @default []
         */
        trustedProxies: z.array(z.string().refine(isAddressOrRange, "must be an IP address or a CIDR range such as 10.0.0.0/8")).default([]),
        /** Host header values accepted (DNS-rebinding protection). Empty: loopback names only when bound to loopback, any otherwise. @default [] */
        allowedHosts: z.array(z.string()).default([]),
        /** Origin header values accepted when present. Empty: only loopback origins. @default [] */
        allowedOrigins: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    rateLimits: z
      .object({
        /**
         * Where state shared by every replica lives: rate-limit buckets and the deny-list of ended sessions.
         * `memory`: this replica only (an ended session's id dies on other replicas when it expires). `redis`: one
         * Redis for all replicas. @default { type: "memory" }
         */
        store: z
          .discriminatedUnion("type", [
            z.object({ type: z.literal("memory") }).strict(),
            z
              .object({
                type: z.literal("redis"),
                /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Prefer `urlFromEnv` for a password. */
                url: z
                  .string()
                  .refine((u) => URL.canParse(u) && /^rediss?:$/.test(new URL(u).protocol), "must be a redis:// or rediss:// URL")
                  .optional(),
                /** Name of an environment variable holding the URL (keeps a password out of the config). */
                urlFromEnv: z.string().regex(ENV_NAME, "must be an environment variable name").optional(),
                /** Prefix of every key and channel. @default "mcp-fleet:" */
                keyPrefix: z.string().default("mcp-fleet:"),
                /** A Redis command that takes longer fails (never a hang). @default 500 */
                timeoutMs: z.number().int().positive().max(60_000).default(500),
                /**
                 * When Redis cannot be reached: `closed` refuses what needs it (503, Retry-After), `open` lets it through
                 * as if nothing were recorded. @default "closed"
                 */
                onUnavailable: z.enum(["closed", "open"]).default("closed"),
              })
              .strict()
              .refine((r) => (r.url === undefined) !== (r.urlFromEnv === undefined), { message: "set exactly one of url and urlFromEnv", path: ["url"] }),
          ])
          .prefault({ type: "memory" }),
      })
      .strict()
      .prefault({}),
    readiness: z
      .object({
        /**
         * `GET /readyz` answers 503 while any backend is not up. Off for the central gateway (one broken MCP server
         * must not take every replica out of its Service: backend health is in /status, metrics and alerts); on for
         * an adapter in front of one server, which cannot serve without it. @default false
         */
        requireBackends: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({
        /** How long in-flight calls may run after SIGTERM. @default 10000 */
        drainTimeoutMs: z.number().int().nonnegative().default(10_000),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        /** @default "info" */
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
    servers: z.array(BackendSchema).min(1, "needs at least one server"),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.servers.forEach((server, index) => {
      const previous = seen.get(server.name);
      if (previous !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["servers", index, "name"],
          message: `"${server.name}" is already the name of servers[${previous}]. Give each server a unique name.`,
        });
      }
      seen.set(server.name, index);
    });
    if (config.sessions.mode === "stateless") {
      config.servers.forEach((server, index) => {
        if (server.isolation === "session") {
          ctx.addIssue({
            code: "custom",
            path: ["servers", index, "isolation"],
            message: `"session" needs client sessions, but sessions.mode is "stateless". Set sessions.mode to "stateful" or isolation to "shared".`,
          });
        }
      });
    }
    if (config.naming.passthrough && config.servers.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["naming", "passthrough"],
        message: `passthrough exposes names unprefixed and needs exactly one server, not ${config.servers.length}. Set it to false or keep one server.`,
      });
    }
  });

/** The config as written in a file (defaults optional). What the IaC side renders. */
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
/** The config after defaults: what the gateway runs with. */
export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
export type BackendConfig = GatewayConfig["servers"][number];
export type BackendConfigInput = GatewayConfigInput["servers"][number];
export type ToolFilter = z.output<typeof ToolFilterSchema>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Validates a parsed config object. Throws {@link ConfigError} listing every problem as `field: message`. */
export function parseGatewayConfig(raw: unknown, source = "config"): GatewayConfig {
  const result = GatewayConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`, problems);
}

/** Reads and validates a YAML or JSON config file. */
export function loadGatewayConfig(file: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${file}: cannot read: ${(error as Error).message}`, [(error as Error).message]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML or JSON: ${(error as Error).message}`, [(error as Error).message]);
  }
  return parseGatewayConfig(raw, file);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}
