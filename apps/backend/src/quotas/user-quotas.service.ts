import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import { BackendConfig } from '../config/backend.config';
import { QUOTA_COUNTER, type QuotaCounter, type QuotaRule } from './quota-counter.port';
import { humanDuration, QuotaExceededException } from './quota-exceeded.exception';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * The backend's quotas per user (the access token's `sub`), so one guest cannot take what belongs
 * to everyone whatever addresses it calls from: rooms created per hour, get-or-start calls per minute.
 */
@Injectable()
export class UserQuotas {
  constructor(
    @Inject(QUOTA_COUNTER) private readonly counter: QuotaCounter,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BackendConfig,
  ) {}

  /** Counts a room creation; throws a 429 when the user created their hourly quota already. */
  async roomCreated(userId: string): Promise<void> {
    const limit = this.config.ROOMS_PER_USER_PER_HOUR;
    await this.take(`rooms:${userId}`, limit, HOUR_MS, (wait) => `Too many rooms created: at most ${limit} per hour. Try again in ${wait}.`);
  }

  /** Counts a get-or-start call; throws a 429 beyond the per-minute quota. */
  async sessionOpened(userId: string): Promise<void> {
    const rule = this.sessionQuota(userId);
    const verdict = await this.counter.take(rule.key, rule.limit, rule.windowMs, this.clock.now());
    if (!verdict.allowed) throw this.sessionRefused(verdict.retryAfterMs);
  }

  /** The per-minute get-or-start quota, for a caller that counts it along with other work (RoomOpener). */
  sessionQuota(userId: string): QuotaRule {
    return { key: `sessions:${userId}`, limit: this.config.SESSIONS_PER_USER_PER_MIN, windowMs: MINUTE_MS };
  }

  /** The 429 for a get-or-start call beyond the quota, `retryAfterMs` before a call would be allowed. */
  sessionRefused(retryAfterMs: number): QuotaExceededException {
    const limit = this.config.SESSIONS_PER_USER_PER_MIN;
    return refusal(`Too many rooms opened: at most ${limit} per minute. Try again in ${humanDuration(retryAfterMs)}.`, retryAfterMs);
  }

  private async take(key: string, limit: number, windowMs: number, message: (wait: string) => string): Promise<void> {
    const verdict = await this.counter.take(key, limit, windowMs, this.clock.now());
    if (!verdict.allowed) throw refusal(message(humanDuration(verdict.retryAfterMs)), verdict.retryAfterMs);
  }
}

function refusal(message: string, retryAfterMs: number): QuotaExceededException {
  return new QuotaExceededException(message, Math.max(1, Math.ceil(retryAfterMs / 1000)));
}
