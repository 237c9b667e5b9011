import { QuotaCounter, QuotaVerdict } from './quota-counter.port';

/** Keys above which a take also drops the keys whose uses have all left their window. */
const SWEEP_ABOVE_KEYS = 10_000;

interface Uses {
  /** Times of the counted uses, oldest first. */
  times: number[];
  windowMs: number;
}

/**
 * The quota counts of one backend process: per key the times of its uses in the window. With several
 * replicas each would count apart (a user gets the quota once per replica): use Redis there.
 */
export class MemoryQuotaCounter implements QuotaCounter {
  private readonly uses = new Map<string, Uses>();
  private sweepAt = SWEEP_ABOVE_KEYS;

  async take(key: string, limit: number, windowMs: number, now: number): Promise<QuotaVerdict> {
    let entry = this.uses.get(key);
    if (!entry) {
      if (this.uses.size >= this.sweepAt) this.sweep(now);
      entry = { times: [], windowMs };
      this.uses.set(key, entry);
    }
    const { times } = entry;
    entry.windowMs = windowMs;
    let expired = 0;
    while (expired < times.length && times[expired] <= now - windowMs) expired++;
    if (expired) times.splice(0, expired);
    if (times.length >= limit) return { allowed: false, retryAfterMs: times[times.length - limit] + windowMs - now };
    times.push(now);
    return { allowed: true };
  }

  async close(): Promise<void> {
    this.uses.clear();
  }

  private sweep(now: number): void {
    for (const [key, { times, windowMs }] of this.uses) {
      if (times.length === 0 || times[times.length - 1] <= now - windowMs) this.uses.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_ABOVE_KEYS, this.uses.size * 2);
  }
}
