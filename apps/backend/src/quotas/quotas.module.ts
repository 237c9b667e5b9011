import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CLOCK, systemClock } from '../clock/clock';
import { quotaCounterProvider } from './quota-counter.factory';
import { QUOTA_COUNTER, type QuotaCounter } from './quota-counter.port';
import { QuotaExceededFilter } from './quota-exceeded.filter';
import { UserQuotas } from './user-quotas.service';
import { AddressQuotas } from './address-quotas.service';

@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    quotaCounterProvider,
    UserQuotas,
    AddressQuotas,
    { provide: APP_FILTER, useClass: QuotaExceededFilter },
  ],
  // The counter too: the get-or-start step (RoomOpener) counts in the same call that opens the room.
  exports: [UserQuotas, AddressQuotas, QUOTA_COUNTER],
})
export class QuotasModule implements OnApplicationShutdown {
  constructor(@Inject(QUOTA_COUNTER) private readonly counter: QuotaCounter) {}

  async onApplicationShutdown(): Promise<void> {
    await this.counter.close();
  }
}
