import { loadBackendConfig } from '../config/load-config';
import { AddressQuotas } from './address-quotas.service';
import { MemoryQuotaCounter } from './memory-quota-counter';
import { QuotaExceededException } from './quota-exceeded.exception';

function quotas(env: Record<string, string>, now: { t: number }) {
  return new AddressQuotas(new MemoryQuotaCounter(), { now: () => now.t }, loadBackendConfig(env));
}

it('allows 30 new guests per address per hour by default, then a readable 429; each address apart', async () => {
  const now = { t: 1_700_000_000_000 };
  const q = quotas({}, now);
  for (let i = 0; i < 30; i++) await q.guestCreated('203.0.113.1');
  const refused = await q.guestCreated('203.0.113.1').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(QuotaExceededException);
  expect((refused as QuotaExceededException).message).toBe('Too many new guests from this address: at most 30 per hour. Try again in 1 hour.');
  expect((refused as QuotaExceededException).retryAfterS).toBe(3600);
  await q.guestCreated('203.0.113.2');
  // The oldest guest leaves the window an hour after it came.
  now.t += 3_600_000;
  await q.guestCreated('203.0.113.1');
});

it('counts rooms created per address apart from new guests; 0 turns a limit off', async () => {
  const now = { t: 0 };
  const q = quotas({ ROOMS_PER_ADDRESS_PER_HOUR: '2', GUESTS_PER_ADDRESS_PER_HOUR: '0' }, now);
  await q.roomCreated('a');
  await q.roomCreated('a');
  await expect(q.roomCreated('a')).rejects.toThrow('Too many rooms created from this address: at most 2 per hour. Try again in 1 hour.');
  for (let i = 0; i < 100; i++) await q.guestCreated('a');
});
