export type RateVerdict = 'ok' | 'limited' | 'flood';

export interface FrameRateOptions {
  perSecond: number;
  burst: number;
  /** Rate-limited frames in a row after which the connection counts as flooding. */
  floodAfter: number;
}

/**
 * Per-connection token bucket: `burst` frames at once, refilled at `perSecond`. Every frame beyond
 * is `limited`; the `floodAfter`-th limited frame in a row is `flood` (the caller closes with 4429).
 * An accepted frame resets the run.
 */
export class FrameRateLimiter {
  private tokens: number;
  private last: number;
  private rejectedInARow = 0;

  constructor(
    private readonly options: FrameRateOptions,
    private readonly now: () => number,
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  check(): RateVerdict {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.options.burst, this.tokens + ((t - this.last) * this.options.perSecond) / 1000);
      this.last = t;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.rejectedInARow = 0;
      return 'ok';
    }
    return ++this.rejectedInARow >= this.options.floodAfter ? 'flood' : 'limited';
  }
}
