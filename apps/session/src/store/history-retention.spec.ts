import { HistoryRetention } from './history-retention';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('HistoryRetention', () => {
  it('deletes by a cutoff of `days` before now, one run at a time, and stops', async () => {
    const cutoffs: number[] = [];
    let release!: () => void;
    const store = {
      pruneHistory: (cutoff: number) => {
        cutoffs.push(cutoff);
        return new Promise<number>((resolve) => (release = () => resolve(7)));
      },
    };
    const job = new HistoryRetention(store, { days: 3, intervalMs: 60_000, now: () => 10 * DAY_MS });
    const first = job.runOnce();
    const second = job.runOnce();
    await Promise.resolve();
    expect(cutoffs).toEqual([7 * DAY_MS]); // the second waits for the first
    release();
    expect(await first).toBe(7);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await second).toBe(7);
    await job.stop();
  });

  it('runs every interval and keeps going after a failed run', async () => {
    let runs = 0;
    const store = {
      pruneHistory: () => {
        runs++;
        return runs === 1 ? Promise.reject(new Error('database away')) : Promise.resolve(0);
      },
    };
    const job = new HistoryRetention(store, { days: 1, intervalMs: 20 });
    try {
      const deadline = Date.now() + 3000;
      while (runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(runs).toBeGreaterThanOrEqual(3);
    } finally {
      await job.stop();
    }
    const after = runs;
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(after);
  });
});
