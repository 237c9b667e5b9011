/** Reconnect delays: exponential from `baseMs`, capped at `capMs`. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** 0.5 s, 1 s, 2 s, … up to 10 s: what docs/protocol.md asks of a good client. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (1-based). "Equal jitter": half the capped exponential
 * step is fixed, the other half random, so delays still grow while a thousand clients of a crashed
 * server spread out instead of coming back in the same millisecond.
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random);
}
