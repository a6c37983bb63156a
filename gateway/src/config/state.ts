/** State every replica shares, and the rate limits it holds. */
import { z } from "zod";
import { RateLimitRuleSchema } from "./access.js";
import { ENV_NAME } from "./names.js";

export const RateLimitsSchema = z
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
    /** Rate limits of calls to backends, fleet-wide (token buckets; each server may add its own). @default [] */
    rules: z.array(RateLimitRuleSchema).default([]),
  })
  .strict()
  .prefault({});
