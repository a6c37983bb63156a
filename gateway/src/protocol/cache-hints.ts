/**
 * Cache hints of 2026-07-28 (server/utilities/caching.mdx), no I/O: `ttlMs` (freshness, >= 0) and `cacheScope`
 * (`public`: the same for every caller; `private`: only within one authorization context) on the complete results
 * of `server/discover`, the lists and `resources/read`.
 */

export interface CacheHint {
  readonly ttlMs: number;
  readonly cacheScope: "public" | "private";
}

/** Methods whose complete results carry a cache hint. */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set(["server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/**
 * What a result says when its server gave no hint (a 2025 backend): immediately stale. Lists are the gateway's own
 * aggregate, the same for every caller of one view (`public`); a resource's content may depend on who reads it, so
 * a read without a hint is `private`.
 */
export const LIST_WITHOUT_HINT: CacheHint = { ttlMs: 0, cacheScope: "public" };
export const READ_WITHOUT_HINT: CacheHint = { ttlMs: 0, cacheScope: "private" };

/** The hint a result carries, when it carries a valid one. */
export function hintOf(result: unknown): CacheHint | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const { ttlMs, cacheScope } = result as { ttlMs?: unknown; cacheScope?: unknown };
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || (cacheScope !== "public" && cacheScope !== "private")) return undefined;
  return { ttlMs: Math.max(0, Math.floor(ttlMs)), cacheScope };
}

/** The more conservative of two hints: the shorter freshness, and `private` if either is. */
export function strictest(a: CacheHint, b: CacheHint): CacheHint {
  return { ttlMs: Math.min(a.ttlMs, b.ttlMs), cacheScope: a.cacheScope === "private" || b.cacheScope === "private" ? "private" : "public" };
}

/** A hint made private (the answer varies by caller). */
export function privately(hint: CacheHint): CacheHint {
  return hint.cacheScope === "private" ? hint : { ttlMs: hint.ttlMs, cacheScope: "private" };
}
