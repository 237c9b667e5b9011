import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import { BackendConfig } from '../config/backend.config';
import { QUOTA_COUNTER, type QuotaCounter, type QuotaRule } from './quota-counter.port';
import { QuotaExceededException } from './quota-exceeded.exception';
import { takeQuota } from './take-quota';

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
    const rule = { key: `rooms:${userId}`, limit, windowMs: HOUR_MS };
    await takeQuota(this.counter, rule, this.clock.now(), (wait) => `Too many rooms created: at most ${limit} per hour. Try again in ${wait}.`);
  }

  /** Counts a get-or-start call; throws a 429 beyond the per-minute quota. */
  async sessionOpened(userId: string): Promise<void> {
    const limit = this.config.SESSIONS_PER_USER_PER_MIN;
    await takeQuota(this.counter, this.sessionQuota(userId), this.clock.now(), (wait) => sessionsMessage(limit, wait));
  }

  /** The per-minute get-or-start quota, for a caller that counts it along with other work (RoomOpener). */
  sessionQuota(userId: string): QuotaRule {
    return { key: `sessions:${userId}`, limit: this.config.SESSIONS_PER_USER_PER_MIN, windowMs: MINUTE_MS };
  }

  /** The 429 for a get-or-start call beyond the quota, `retryAfterMs` before a call would be allowed. */
  sessionRefused(retryAfterMs: number): QuotaExceededException {
    const limit = this.config.SESSIONS_PER_USER_PER_MIN;
    return QuotaExceededException.after(retryAfterMs, (wait) => sessionsMessage(limit, wait));
  }
}

function sessionsMessage(limit: number, wait: string): string {
  return `Too many rooms opened: at most ${limit} per minute. Try again in ${wait}.`;
}
