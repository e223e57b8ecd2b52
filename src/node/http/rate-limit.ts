/**
 * A token bucket per key (a client address, a sender): `burst` requests at once, then `perSecond`.
 * Buckets that are full again are forgotten, and at most `maxKeys` are kept (the oldest go
 * first), so that many clients cannot grow it without bound.
 */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  private refilled(key: string): Bucket {
    const t = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.limit.burst, at: t };
    const tokens = Math.min(this.limit.burst, bucket.tokens + ((t - bucket.at) / 1000) * this.limit.perSecond);
    return { tokens, at: t };
  }

  /** Whole seconds until `key` may make a request; 0 when it may now. Takes nothing. */
  wait(key: string): number {
    const { tokens } = this.refilled(key);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.limit.perSecond);
  }

  /** Takes one request of `key`'s allowance (call after `wait` said 0). */
  take(key: string): void {
    const bucket = this.refilled(key);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
