/**
 * The gateway's configuration: the one schema both sides agree on, composed from its sections (config/*.ts).
 *
 * The gateway reads it from a YAML or JSON file (`mcp-fleet-gateway --config FILE`); the IaC side renders it from
 * the server catalog and imports {@link GatewayConfig} from here, so a change on either side breaks the other's
 * build instead of a deploy.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { HttpSchema, ListenSchema, LoggingSchema, NamingSchema, ReadinessSchema, SessionsSchema, ShutdownSchema } from "./config/front.js";
import { resilienceProblems } from "./config/resilience.js";
import { BackendSchema, type ToolFilterSchema } from "./config/servers.js";
import { RateLimitsSchema } from "./config/state.js";
import { TracingSchema } from "./config/tracing.js";
import { AuthSchema, authProblems } from "./config/auth.js";
import { AuditSchema } from "./config/audit.js";
import { IdentitySchema, identityProblems } from "./config/identity.js";

export { DEFAULT_SEPARATOR, EXPOSED_NAME_PATTERN, MAX_EXPOSED_NAME_LENGTH, isAddressOrRange } from "./config/names.js";
export { ApiKeySchema, AuthSchema, OAuthSchema, TOKEN_ALGORITHMS, isLoopbackHost } from "./config/auth.js";
export { AccessRuleSchema, CredentialsSchema, RATE_LIMIT_KEYS, RateLimitRuleSchema, ServerRateLimitSchema } from "./config/access.js";
export { EXCHANGED_HEADER, IDENTITY_HEADER, IDENTITY_META_KEY, IdentityPresentationSchema, IdentitySchema, JWKS_PATH, SignedHeaderSchema } from "./config/identity.js";
export { BackendSchema, HttpServerSchema, SseServerSchema, StdioServerSchema, ToolFilterSchema } from "./config/servers.js";

export const GatewayConfigSchema = z
  .object({
    listen: ListenSchema,
    naming: NamingSchema,
    sessions: SessionsSchema,
    http: HttpSchema,
    rateLimits: RateLimitsSchema,
    auth: AuthSchema,
    audit: AuditSchema,
    identity: IdentitySchema,
    readiness: ReadinessSchema,
    shutdown: ShutdownSchema,
    logging: LoggingSchema,
    tracing: TracingSchema,
    servers: z.array(BackendSchema).min(1, "needs at least one server"),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const problem of authProblems(config.auth, config.listen.host)) ctx.addIssue({ code: "custom", ...problem });
    for (const problem of identityProblems(config)) ctx.addIssue({ code: "custom", ...problem });
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
    for (const problem of resilienceProblems(config.servers)) ctx.addIssue({ code: "custom", ...problem });
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
