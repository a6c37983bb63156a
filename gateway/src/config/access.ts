/**
 * Per-server identity settings (`servers[].access`, `servers[].rateLimits`, `servers[].credentials`) and the
 * fleet-wide rate-limit rules (`rateLimits.rules`).
 */
import { z } from "zod";
import { IdentityPresentationSchema } from "./identity.js";
import { ENV_NAME } from "./names.js";

const globs = z.array(z.string().min(1)).default([]);

/**
 * One access rule of a server: callers with any of `roles` (`"*"`: any authenticated caller) see and may call the
 * server's tools, resources and prompts matching these globs (`*` any run of characters, `?` one character), by the
 * server's own names (resources by URI). Deny by default: with auth on, what no rule grants is hidden.
 */
export const AccessRuleSchema = z
  .object({
    roles: z.array(z.string().min(1)).min(1, "needs at least one role (\"*\" for any authenticated caller)"),
    /** @default [] */
    tools: globs,
    /** @default [] */
    resources: globs,
    /** @default [] */
    prompts: globs,
  })
  .strict();

/** What a bucket is counted per: each caller identity, each server, each tool (or a combination). */
export const RATE_LIMIT_KEYS = ["identity", "server", "tool"] as const;
const rateKey = z.enum(RATE_LIMIT_KEYS, { error: `must be one of ${RATE_LIMIT_KEYS.join(", ")}` });

const rateFields = {
  /** One bucket per identity (the caller), per server, per tool, or per combination (`[identity, tool]`). */
  key: z.union([rateKey, z.array(rateKey).min(1)]),
  /** Tools counted (globs on the server's own tool names); `"*"` counts every call to a backend (reads, prompts too). @default "*" */
  tool: z.string().min(1).default("*"),
  /** Calls regained per minute. */
  perMinute: z.number().positive().max(6_000_000),
  /** Calls allowed at once before the per-minute rate applies. @default perMinute / 10, at least 1 */
  burst: z.number().int().positive().optional(),
};

/** A rate limit of one server (`servers[].rateLimits`). */
export const ServerRateLimitSchema = z.object(rateFields).strict();
/** A fleet-wide rate limit (`rateLimits.rules`); `server` selects the servers it counts (a glob). */
export const RateLimitRuleSchema = z.object({ ...rateFields, /** @default "*" */ server: z.string().min(1).default("*") }).strict();

/**
 * How the gateway presents itself to a remote server. `headers` are sent on every request; each value is a template
 * over environment variables of the gateway (`Bearer ${LINEAR_API_KEY}`), resolved when the connection opens, so the
 * config never holds a secret. The client's own token is never passed on; `identity` says how the server learns who
 * calls (config/identity.ts).
 */
export const CredentialsSchema = z
  .object({
    /** @default {} */
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name"),
        z.string().refine((v) => [...v.matchAll(/\$\{([^}]*)\}/g)].every((m) => ENV_NAME.test(m[1]!)), "must be a template whose ${NAME}s are environment variable names"),
      )
      .default({}),
    /** How the server sees the caller: a token the gateway signs per caller (`{ type: "signed-header" }`). @default none */
    identity: IdentityPresentationSchema.optional(),
  })
  .strict();

export type AccessRule = z.output<typeof AccessRuleSchema>;
export type RateLimitRule = z.output<typeof RateLimitRuleSchema>;
export type ServerRateLimit = z.output<typeof ServerRateLimitSchema>;
export type Credentials = z.output<typeof CredentialsSchema>;
