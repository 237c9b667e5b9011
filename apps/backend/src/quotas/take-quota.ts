import type { QuotaCounter, QuotaRule } from './quota-counter.port';
import { QuotaExceededException } from './quota-exceeded.exception';

/** Counts one call against `rule`; throws the 429 (with `message` given the wait in words) when it is used up. */
export async function takeQuota(counter: QuotaCounter, rule: QuotaRule, now: number, message: (wait: string) => string): Promise<void> {
  const verdict = await counter.take(rule.key, rule.limit, rule.windowMs, now);
  if (!verdict.allowed) throw QuotaExceededException.after(verdict.retryAfterMs, message);
}
