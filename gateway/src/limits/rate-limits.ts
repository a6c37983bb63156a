/**
 * The rate-limit rules of a config (`rateLimits.rules` and each server's `rateLimits`), compiled: which token
 * buckets one call to a backend spends from. A bucket is per rule and per the rule's key (the caller's identity, the
 * server, the tool, or a combination), so `key: identity` gives every caller its own budget.
 */
import type { GatewayConfig } from "../config.js";
import type { RateLimitRule, ServerRateLimit } from "../config/access.js";
import { callerKey, type Caller, type Subject } from "../context.js";

export interface CompiledLimit {
  /** Where the rule is written, for messages: `rateLimits.rules[0]`, `servers[2].rateLimits[0]`. */
  readonly field: string;
  /** `600 per minute (burst 60) per identity`. */
  readonly text: string;
  readonly perMs: number;
  readonly burst: number;
  readonly dims: readonly ("identity" | "server" | "tool")[];
  readonly server: RegExp | undefined;
  /** undefined: every call to a backend. */
  readonly tool: RegExp | undefined;
}

export interface Bucket {
  readonly key: string;
  readonly limit: CompiledLimit;
}

function glob(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
}

function compile(field: string, rule: ServerRateLimit | RateLimitRule, server: RegExp | undefined): CompiledLimit {
  const dims = Array.isArray(rule.key) ? [...new Set(rule.key)] : [rule.key];
  const burst = rule.burst ?? Math.max(1, Math.floor(rule.perMinute / 10));
  return {
    field,
    text: `${rule.perMinute} per minute (burst ${burst}) per ${dims.join(" and ")}`,
    perMs: rule.perMinute / 60_000,
    burst,
    dims,
    server,
    tool: rule.tool === "*" ? undefined : glob(rule.tool),
  };
}

export class RateLimits {
  readonly limits: CompiledLimit[] = [];

  constructor(config: Pick<GatewayConfig, "rateLimits" | "servers">) {
    config.rateLimits.rules.forEach((rule, i) => this.limits.push(compile(`rateLimits.rules[${i}]`, rule, rule.server === "*" ? undefined : glob(rule.server))));
    config.servers.forEach((server, s) =>
      server.rateLimits.forEach((rule, i) => this.limits.push(compile(`servers[${s}].rateLimits[${i}]`, rule, new RegExp(`^${server.name.replace(/[.+^${}()|[\]\\-]/g, "\\$&")}$`)))),
    );
  }

  get empty(): boolean {
    return this.limits.length === 0;
  }

  /** The buckets a call spends from (none for what the gateway answers itself, or for task polling). */
  bucketsFor(caller: Caller, subject: Subject): Bucket[] {
    if (subject.kind === "gateway" || subject.kind === "task") return [];
    const tool = subject.kind === "tool" ? subject.name : undefined;
    const buckets: Bucket[] = [];
    this.limits.forEach((limit, index) => {
      if (limit.server !== undefined && !limit.server.test(subject.server)) return;
      if (limit.tool !== undefined && (tool === undefined || !limit.tool.test(tool))) return;
      let key = `${index}`;
      for (const dim of limit.dims) key += dim === "identity" ? `|${callerKey(caller)}` : dim === "server" ? `|s:${subject.server}` : `|t:${subject.server}/${tool ?? ""}`;
      buckets.push({ key, limit });
    });
    return buckets;
  }
}
