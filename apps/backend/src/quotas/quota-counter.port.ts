export const QUOTA_COUNTER = Symbol('QUOTA_COUNTER');

/** What a counter says about one more use: allowed (and counted), or refused until `retryAfterMs` from now. */
export type QuotaVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One quota: at most `limit` uses of `key` in any `windowMs`. */
export interface QuotaRule {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Counts uses of something per key in a sliding window: at most `limit` uses in any `windowMs`. A
 * refused use is not counted, so a caller that keeps knocking is let in as soon as the oldest
 * counted use leaves the window. Adapters: memory (one backend process) and Redis (every replica
 * shares the counts).
 */
export interface QuotaCounter {
  take(key: string, limit: number, windowMs: number, now: number): Promise<QuotaVerdict>;
  close(): Promise<void>;
}
