import { QuotaCounter, QuotaVerdict } from './quota-counter.port';

/** Keys above which a take also drops the keys whose uses have all left their window. */
const SWEEP_ABOVE_KEYS = 10_000;

interface Uses {
  /** Times of the counted uses, oldest first, from `start` on (the ones before have left the window). */
  times: number[];
  start: number;
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
      entry = { times: [], start: 0, windowMs };
      this.uses.set(key, entry);
    }
    const { times } = entry;
    entry.windowMs = windowMs;
    while (entry.start < times.length && times[entry.start] <= now - windowMs) entry.start++;
    // Expired times are dropped in bulk, not one splice per call: with a large limit (the bench
    // lifts it to millions) a splice from the front moved the whole window on every call.
    if (entry.start > 1024 && entry.start * 2 > times.length) {
      times.splice(0, entry.start);
      entry.start = 0;
    }
    if (times.length - entry.start >= limit) return { allowed: false, retryAfterMs: times[times.length - limit] + windowMs - now };
    times.push(now);
    return { allowed: true };
  }

  async close(): Promise<void> {
    this.uses.clear();
  }

  private sweep(now: number): void {
    for (const [key, { times, start, windowMs }] of this.uses) {
      if (times.length === start || times[times.length - 1] <= now - windowMs) this.uses.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_ABOVE_KEYS, this.uses.size * 2);
  }
}
