import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import { BackendConfig } from '../config/backend.config';
import { QUOTA_COUNTER, type QuotaCounter } from './quota-counter.port';
import { takeQuota } from './take-quota';

const HOUR_MS = 3_600_000;

/**
 * The backend's quotas per client address (the request's ip as Fastify resolves it, TRUST_PROXY
 * included), counted by the same counter as the per-user quotas (Redis when the replicas share it):
 * new guest identities and rooms created per hour, so logging in again does not multiply a person's
 * per-user quotas. A limit of 0 is no limit.
 */
@Injectable()
export class AddressQuotas {
  constructor(
    @Inject(QUOTA_COUNTER) private readonly counter: QuotaCounter,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BackendConfig,
  ) {}

  /** Counts a new guest identity; throws a 429 when the address had its hourly quota already. */
  async guestCreated(address: string): Promise<void> {
    const limit = this.config.GUESTS_PER_ADDRESS_PER_HOUR;
    await this.take(`guests-from:${address}`, limit, (wait) => `Too many new guests from this address: at most ${limit} per hour. Try again in ${wait}.`);
  }

  /** Counts a room creation; throws a 429 when the address created its hourly quota already. */
  async roomCreated(address: string): Promise<void> {
    const limit = this.config.ROOMS_PER_ADDRESS_PER_HOUR;
    await this.take(`rooms-from:${address}`, limit, (wait) => `Too many rooms created from this address: at most ${limit} per hour. Try again in ${wait}.`);
  }

  private async take(key: string, limit: number, message: (wait: string) => string): Promise<void> {
    if (limit !== 0) await takeQuota(this.counter, { key, limit, windowMs: HOUR_MS }, this.clock.now(), message);
  }
}
