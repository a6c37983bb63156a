/**
 * Where token buckets live: this process's memory, or one Redis for every replica (one atomic script per decision,
 * store/redis-state.ts). Either way a decision takes one token from every bucket of the call, or from none.
 */
import type { SharedState } from "../store/shared-state.js";
import type { Bucket } from "./rate-limits.js";

/** `undefined`: allowed; else the bucket that refused and when it has a token again. */
export type Decision = undefined | { bucket: Bucket; retryMs: number };

export interface Limiter {
  take(buckets: readonly Bucket[]): Decision | Promise<Decision>;
}

/** Buckets remembered at once (the least recently used forgotten first: that only ever forgives a caller). */
const MAX_BUCKETS = 100_000;

export class MemoryLimiter implements Limiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(buckets: readonly Bucket[]): Decision {
    const now = this.now();
    const levels: number[] = [];
    let refusal: Decision;
    for (const b of buckets) {
      const state = this.buckets.get(b.key);
      const tokens = state === undefined ? b.limit.burst : Math.min(b.limit.burst, state.tokens + (now - state.at) * b.limit.perMs);
      levels.push(tokens);
      if (tokens < 1) {
        const retryMs = Math.ceil((1 - tokens) / b.limit.perMs);
        if (refusal === undefined || retryMs > refusal.retryMs) refusal = { bucket: b, retryMs };
      }
    }
    if (refusal !== undefined) return refusal;
    buckets.forEach((b, i) => {
      this.buckets.delete(b.key); // re-inserted last: the map's order is least recently used first
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(b.key, { tokens: levels[i]! - 1, at: now });
    });
    return undefined;
  }
}

/** Buckets in the shared store: every replica spends from the same ones. Rejects with `StoreUnavailable`. */
export class SharedLimiter implements Limiter {
  constructor(private readonly shared: Required<Pick<SharedState, "takeTokens">>) {}

  async take(buckets: readonly Bucket[]): Promise<Decision> {
    const refused = await this.shared.takeTokens(buckets.map((b) => ({ key: b.key, perMs: b.limit.perMs, burst: b.limit.burst })));
    return refused === undefined ? undefined : { bucket: buckets[refused.index]!, retryMs: refused.retryMs };
  }
}
