import { QuotaCounter } from './quota-counter.port';

/** The behaviour every QuotaCounter adapter must have; `make` returns a fresh counter with keys of its own. */
export function describeQuotaCounterContract(name: string, make: () => Promise<QuotaCounter>): void {
  describe(`QuotaCounter contract: ${name}`, () => {
    const T0 = 1_700_000_000_000;
    let counter: QuotaCounter;
    beforeEach(async () => {
      counter = await make();
    });
    afterEach(async () => {
      await counter.close();
    });

    it('allows `limit` uses in a window, refuses the next until the oldest leaves it', async () => {
      for (let i = 0; i < 3; i++) expect(await counter.take('u1', 3, 60_000, T0 + i * 1000)).toEqual({ allowed: true });
      expect(await counter.take('u1', 3, 60_000, T0 + 10_000)).toEqual({ allowed: false, retryAfterMs: 50_000 });
      // Refused uses are not counted: the first slot frees at T0 + 60 s.
      expect(await counter.take('u1', 3, 60_000, T0 + 59_999)).toEqual({ allowed: false, retryAfterMs: 1 });
      expect(await counter.take('u1', 3, 60_000, T0 + 60_000)).toEqual({ allowed: true });
      expect(await counter.take('u1', 3, 60_000, T0 + 60_500)).toEqual({ allowed: false, retryAfterMs: 500 });
    });

    it('counts keys apart', async () => {
      expect(await counter.take('a', 1, 1000, T0)).toEqual({ allowed: true });
      expect(await counter.take('b', 1, 1000, T0)).toEqual({ allowed: true });
      expect((await counter.take('a', 1, 1000, T0)).allowed).toBe(false);
    });

    it('lets exactly `limit` of many concurrent uses in', async () => {
      const verdicts = await Promise.all(Array.from({ length: 50 }, () => counter.take('burst', 20, 60_000, T0)));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(20);
    });
  });
}
