/**
 * State that every replica of the gateway must agree on. Today: which sessions ended (DELETE) anywhere, so that an
 * ended session's id is refused by every replica, not only by the one that ended it. (Rate-limit buckets live in
 * the same store.) `memory` keeps it in this process; `redis` shares it through one Redis.
 */

/** The store could not answer (Redis down or slow): the caller applies `onUnavailable`. */
export class StoreUnavailable extends Error {
  constructor(cause: string) {
    super(`the shared state store is unavailable: ${cause}`);
    this.name = "StoreUnavailable";
  }
}

export interface SharedState {
  /** `closed`: refuse what needs the store while it is unavailable; `open`: carry on as if nothing were recorded. */
  readonly onUnavailable: "closed" | "open";
  /** Is this shared with other replicas (not just this process's memory)? */
  readonly shared: boolean;
  /** Records that a session ended, for `ttlMs` (until every token of it has expired), and tells the other replicas. */
  endSession(sid: string, ttlMs: number): Promise<void>;
  /** Did a session end on some replica? Rejects with {@link StoreUnavailable}. */
  sessionEnded(sid: string): Promise<boolean>;
  /** Called when another replica ends a session. */
  onSessionEnded(listener: (sid: string, ttlMs: number) => void): void;
  /**
   * Rate limits (limits/limiter.ts): takes one token from every bucket, or from none, atomically for every replica.
   * `undefined`: taken; else the first bucket (by index) that has none and when it will. Rejects with
   * {@link StoreUnavailable}. Only stores shared between replicas have it.
   */
  takeTokens?(buckets: readonly { key: string; perMs: number; burst: number }[]): Promise<undefined | { index: number; retryMs: number }>;
  /** Resolves once connected (or after a bounded wait: the gateway starts without its store, and retries). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Only this process: the session store's own memory of ended sessions is all there is. */
export class MemoryState implements SharedState {
  readonly onUnavailable = "open" as const;
  readonly shared = false;
  async endSession(): Promise<void> {}
  async sessionEnded(): Promise<boolean> {
    return false;
  }
  onSessionEnded(): void {}
  async ready(): Promise<void> {}
  async close(): Promise<void> {}
}
