export type RateVerdict = 'ok' | 'limited' | 'flood';

export interface TokenBucketOptions {
  perSecond: number;
  burst: number;
}

export interface FrameRateOptions extends TokenBucketOptions {
  /** Rate-limited frames in a row after which the connection counts as flooding. */
  floodAfter: number;
}

/** `burst` tokens at once, refilled at `perSecond`. Shared by every socket of one user in one room. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number,
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  /** Takes one token; false when there is none. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Refilled to the whole burst: forgetting it now changes nothing. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.options.burst;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.options.burst, this.tokens + ((t - this.last) * this.options.perSecond) / 1000);
      this.last = t;
    }
  }
}

/**
 * One connection's frame check: a token from `bucket` per frame (by default a bucket of its own; the
 * session server passes the bucket its user shares in the room, so reconnecting does not refill it).
 * Every frame beyond is `limited`; the `floodAfter`-th limited frame in a row on this connection is
 * `flood` (the caller closes with 4429). An accepted frame resets the run.
 */
export class FrameRateLimiter {
  private rejectedInARow = 0;

  constructor(
    private readonly options: FrameRateOptions,
    now: () => number,
    private readonly bucket: TokenBucket = new TokenBucket(options, now),
  ) {}

  check(): RateVerdict {
    if (this.bucket.take()) {
      this.rejectedInARow = 0;
      return 'ok';
    }
    return ++this.rejectedInARow >= this.options.floodAfter ? 'flood' : 'limited';
  }
}
