import { MemoryQuotaCounter } from './memory-quota-counter';
import { describeQuotaCounterContract } from './quota-counter.contract';

describeQuotaCounterContract('memory', async () => new MemoryQuotaCounter());

it('keeps counting exactly while a large window slides past thousands of uses (bulk drop of expired times)', async () => {
  const counter = new MemoryQuotaCounter();
  // 3,000 allowed per 1,000 ms, one use per ms for 5 s.
  for (let now = 0; now < 5000; now++) {
    expect(await counter.take('u', 3000, 1000, now)).toEqual({ allowed: true });
  }
  // At 5,000 the window (4,000, 5,000] holds the 999 uses of 4,001..4,999: a limit of 999 refuses and
  // says the oldest counted use leaves in 1 ms; a limit of 1,000 allows.
  expect(await counter.take('u', 999, 1000, 5000)).toEqual({ allowed: false, retryAfterMs: 1 });
  expect(await counter.take('u', 1000, 1000, 5000)).toEqual({ allowed: true });
});
