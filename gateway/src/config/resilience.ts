/**
 * Per-server resilience settings (`servers[*]`): how a server's endpoints are balanced, checked, broken, retried,
 * replaced by a fallback, and split with a canary. Every field has a default that is on and safe, so a config that
 * names none of them gets least-outstanding balancing, `ping` health checks, a breaker per endpoint and retries of
 * what is safe to retry.
 */
import { z } from "zod";
import { SERVER_NAME } from "./names.js";

/** Balancing strategies of a server's endpoints. */
export const BALANCING_STRATEGIES = ["least-outstanding", "round-robin", "weighted"] as const;

/** Kinds of active health check (upstream/health.ts holds what each one sends; a new kind registers there). */
export const HEALTH_CHECK_KINDS = ["ping", "server/discover", "none"] as const;

const url = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL");

export const HealthCheckSchema = z
  .object({
    /** What the check sends: MCP `ping` (`server/discover` to a 2026-07-28 backend, which has no ping), `server/discover`, or `none` (passive detection only). @default "ping" */
    kind: z.enum(HEALTH_CHECK_KINDS).default("ping"),
    /** Between two checks of one endpoint. @default 10000 */
    intervalMs: z.number().int().min(100).max(3_600_000).default(10_000),
    /** A check not answered within this long failed. @default 5000 */
    timeoutMs: z.number().int().positive().max(600_000).default(5_000),
    /** Consecutive failed checks that open the endpoint's circuit. @default 3 */
    failureThreshold: z.number().int().positive().max(100).default(3),
  })
  .strict()
  .prefault({});

export const BreakerSchema = z
  .object({
    /** @default true */
    enabled: z.boolean().default(true),
    /** Consecutive failed calls of one endpoint (timeouts, lost connections) that open its circuit. @default 5 */
    failureThreshold: z.number().int().positive().max(1000).default(5),
    /** How long a circuit stays open before the half-open probe; doubles after each failed probe. @default 5000 */
    openMs: z.number().int().positive().max(3_600_000).default(5_000),
    /** The longest open period. @default 60000 */
    maxOpenMs: z.number().int().positive().max(3_600_000).default(60_000),
  })
  .strict()
  .prefault({});

export const RetriesSchema = z
  .object({
    /** Further attempts of one call at most (0: never retry). @default 2 */
    maxAttempts: z.number().int().min(0).max(10).default(2),
    /** Retries may add at most this share of the server's calls (the retry budget). @default 0.1 */
    budgetRatio: z.number().min(0).max(1).default(0.1),
    /** Retries allowed before the budget has filled (a burst at start or after a lull). @default 10 */
    budgetBurst: z.number().int().min(0).max(10_000).default(10),
  })
  .strict()
  .prefault({});

/** The canary (or the green of blue-green) of a server: its endpoints, the share of calls they get and its version. */
export const CanarySchema = z
  .object({
    /** Percent of sessions (or callers) whose calls go to the canary: 0 (all stable) to 100 (all canary, blue-green). */
    weight: z.number().int().min(0).max(100),
    /** What runs there, for logs and status (metrics say `version="canary"`). @default "canary" */
    version: z.string().min(1).max(64).default("canary"),
    /** Remote servers: the canary's endpoint. */
    url: url.optional(),
    /** stdio servers: the canary's command. @default the server's */
    command: z.string().min(1).optional(),
    /** stdio servers: the canary's arguments. @default the server's */
    args: z.array(z.string()).optional(),
    /** stdio servers: environment added to the server's. @default {} */
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const resilienceFields = {
  /** How a call picks one of the server's endpoints. @default "least-outstanding" (power of two choices) */
  balancing: z.enum(BALANCING_STRATEGIES).default("least-outstanding"),
  /** Active checks of every endpoint. */
  healthCheck: HealthCheckSchema,
  /** A circuit breaker per endpoint (closed, open, half-open with one probe). */
  breaker: BreakerSchema,
  /** Retries of what is safe to retry (reads, prompts, completions, tools annotated readOnlyHint or idempotentHint; any call that never reached a backend), within the call's deadline. */
  retries: RetriesSchema,
  /**
   * Per tool (the backend's own name): servers that offer the same tool and serve it, under this server's name,
   * when this server is down or every circuit of it is open, if their input schema is identical. @default {}
   */
  fallback: z.record(z.string().min(1), z.array(z.string().regex(SERVER_NAME, "must be a server name")).min(1)).default({}),
  /** A canary: calls split by weight, sticky per session (or per caller without one). */
  canary: CanarySchema.optional(),
  /** What keeps a session (or caller) on one side of the canary split. @default "session" */
  sticky: z.enum(["session", "caller"]).default("session"),
};

/** stdio only: how many processes of the server run, each an endpoint. @default 1 */
export const instancesField = { instances: z.number().int().min(1).max(64).default(1) };

export const remoteEndpointFields = {
  /** More endpoints besides `url` (a URL, or `{ url, weight }` for the weighted strategy). @default [] */
  urls: z.array(z.union([url, z.object({ url, weight: z.number().int().min(0).max(1000) }).strict()])).default([]),
  /** Weight of `url` for the weighted strategy. @default 1 */
  weight: z.number().int().min(0).max(1000).default(1),
  /**
   * Resolve the host of `url` to every address it has (a headless Service) and make each one an endpoint,
   * re-resolved every `refreshMs`; an address that goes away is drained, then closed.
   */
  dns: z.object({ /** @default 5000 */ refreshMs: z.number().int().min(100).max(3_600_000).default(5_000) }).strict().optional(),
};

interface ServerLike {
  name: string;
  transport: string;
  fallback: Record<string, string[]>;
  canary?: { url?: string | undefined; command?: string | undefined; args?: string[] | undefined } | undefined;
}

/** Checks across servers: fallbacks name other servers of the config; a canary has what its transport needs. */
export function resilienceProblems(servers: readonly ServerLike[]): { path: (string | number)[]; message: string }[] {
  const names = new Set(servers.map((s) => s.name));
  const problems: { path: (string | number)[]; message: string }[] = [];
  servers.forEach((server, index) => {
    for (const [tool, fallbacks] of Object.entries(server.fallback)) {
      for (const other of fallbacks) {
        if (other === server.name) problems.push({ path: ["servers", index, "fallback", tool], message: `"${other}" is this server itself. Name another server that offers "${tool}".` });
        else if (!names.has(other)) problems.push({ path: ["servers", index, "fallback", tool], message: `"${other}" is not a server of this config. Name one of: ${[...names].filter((n) => n !== server.name).join(", ")}.` });
      }
    }
    const canary = server.canary;
    if (canary === undefined) return;
    if (server.transport === "stdio" && canary.url !== undefined) problems.push({ path: ["servers", index, "canary", "url"], message: "a stdio server's canary runs a process: set command/args, not url." });
    if (server.transport !== "stdio") {
      if (canary.url === undefined) problems.push({ path: ["servers", index, "canary", "url"], message: `a ${server.transport} server's canary needs the url of its endpoint.` });
      if (canary.command !== undefined || canary.args !== undefined) problems.push({ path: ["servers", index, "canary"], message: `a ${server.transport} server's canary is reached at a url: command and args are for stdio servers.` });
    }
  });
  return problems;
}
