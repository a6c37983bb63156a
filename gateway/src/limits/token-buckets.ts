/**
 * Token buckets by key, in memory: each key may spend `burst` at once and regains `perSecond`. The map of keys is
 * bounded (the least recently used key is forgotten first, which only ever forgives a client), so a flood of
 * distinct keys cannot grow it.
 */
export interface TokenBucketOptions {
  /** Tokens regained per second. */
  perSecond: number;
  /** Most tokens a bucket holds (and a new key starts with). */
  burst: number;
  /** Keys remembered at once. @default 100000 */
  maxKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

/** `undefined`: allowed (one token spent); a number: refused, retry after that many milliseconds. */
export type Take = undefined | number;

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  take(key: string, cost = 1): Take {
    const now = this.now();
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(key);
    let tokens = burst;
    if (bucket !== undefined) {
      tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      this.buckets.delete(key); // re-inserted below: the map's order is least recently used first
    } else if (this.buckets.size >= this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    if (tokens < cost) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil(((cost - tokens) / perSecond) * 1000);
    }
    this.buckets.set(key, { tokens: tokens - cost, at: now });
    return undefined;
  }

  get size(): number {
    return this.buckets.size;
  }
}
