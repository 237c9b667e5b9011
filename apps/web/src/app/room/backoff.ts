/** Reconnect delays: exponential from `baseMs`, capped at `capMs`, with jitter so clients do not retry in step. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (1-based). "Equal jitter": half the capped exponential
 * step is fixed, the other half random, so the delay still grows while clients spread out.
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random);
}
