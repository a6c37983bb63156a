/** How the gateway faces its clients: where it listens, names, sessions, HTTP bounds, readiness, shutdown, logs. */
import { z } from "zod";
import { DEFAULT_SEPARATOR, isAddressOrRange } from "./names.js";

export const ListenSchema = z
  .object({
    /** @default "127.0.0.1" */
    host: z.string().min(1).default("127.0.0.1"),
    /** @default 8080 */
    port: z.number().int().min(0).max(65535).default(8080),
    /** Path of the MCP endpoint. @default "/mcp" */
    path: z.string().startsWith("/").default("/mcp"),
  })
  .strict()
  .prefault({});

export const NamingSchema = z
  .object({
    /** Between server name and tool name. @default "__" ({@link DEFAULT_SEPARATOR}) */
    separator: z.string().regex(/^[a-zA-Z0-9_-]{1,4}$/, "must be 1-4 characters of [a-zA-Z0-9_-]").default(DEFAULT_SEPARATOR),
    /** Expose names unprefixed; only valid with exactly one backend. @default false */
    passthrough: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export const SessionsSchema = z
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
  .prefault({});

export const HttpSchema = z
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
     * Requests of one connection handled at once when a client pipelines them (HTTP/1.1: sent without waiting for
     * the answers before; answered in order). Reading stops while this many are under way. 1: one at a time.
     * @default 16
     */
    maxPipelined: z.number().int().min(1).max(256).default(16),
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
  .prefault({});

export const ReadinessSchema = z
  .object({
    /**
     * `GET /readyz` answers 503 while any backend is not up. Off for the central gateway (one broken MCP server
     * must not take every replica out of its Service: backend health is in /status, metrics and alerts); on for
     * an adapter in front of one server, which cannot serve without it. @default false
     */
    requireBackends: z.boolean().default(false),
  })
  .strict()
  .prefault({});

export const ShutdownSchema = z
  .object({
    /** How long in-flight calls may run after SIGTERM. @default 10000 */
    drainTimeoutMs: z.number().int().nonnegative().default(10_000),
  })
  .strict()
  .prefault({});

export const LoggingSchema = z
  .object({
    /** @default "info" */
    level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  })
  .strict()
  .prefault({});
