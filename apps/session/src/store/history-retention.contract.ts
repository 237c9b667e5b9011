import { randomBytes } from 'node:crypto';
import type { MessageV2 } from '@app/shared';
import type { PrunableHistory } from './history-retention';
import type { RoomStore } from './room-store.port';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the SQL stores (which keep the whole history) do for `HISTORY_RETENTION_DAYS`: delete by age,
 * in a job apart from the append, never a room's newest message. Each SQL store's spec calls this.
 */
export function describeHistoryPruning(
  name: string,
  makeStore: (retention?: { days: number; intervalMs: number; now: () => number }) => Promise<RoomStore & PrunableHistory>,
): void {
  describe(`history retention: ${name}`, () => {
    const now = Date.UTC(2026, 11, 8);
    let room: string;
    beforeEach(() => {
      room = `room-${randomBytes(6).toString('hex')}`;
    });
    const msg = (seq: number, ageDays: number): MessageV2 => ({
      seq,
      id: `c-${seq}`,
      userId: 'u',
      name: 'U',
      text: `t${seq}`,
      ts: now - ageDays * DAY_MS,
      rev: seq,
    });

    it('keeps everything the append stored: no trim by count', async () => {
      const store = await makeStore();
      try {
        for (let from = 1; from <= 12_000; from += 1000) {
          await store.append(
            room,
            Array.from({ length: 1000 }, (_, i) => msg(from + i, 1)),
            1,
          );
        }
        expect((await store.load(room, 3)).messages.map((m) => m.seq)).toEqual([11_998, 11_999, 12_000]);
        expect((await store.before(room, 3, 10)).map((m) => m.seq)).toEqual([1, 2]);
      } finally {
        await store.close();
      }
    }, 30_000);

    it('deletes messages older than the cutoff, never a room’s newest, and the room goes on from its last seq', async () => {
      const store = await makeStore();
      const quiet = `${room}-quiet`;
      try {
        await store.append(room, [msg(1, 40), msg(2, 35), msg(3, 10), msg(4, 1)], 1);
        await store.append(quiet, [msg(1, 90), msg(2, 60)], 1); // every message old
        expect(await store.pruneHistory(now - 30 * DAY_MS)).toBeGreaterThanOrEqual(3);
        expect((await store.after(room, 0, 10)).map((m) => m.seq)).toEqual([3, 4]);
        expect(await store.before(room, 3, 10)).toEqual([]);
        const snapshot = await store.load(quiet, 10);
        expect(snapshot.lastSeq).toBe(2);
        expect(snapshot.messages.map((m) => m.seq)).toEqual([2]);
        // A new owner continues the seq; a change of a deleted seq is skipped, its rev still counts.
        await store.append(quiet, [msg(3, 0)], 2);
        await store.update(quiet, [{ ...msg(1, 90), text: 'edited', rev: 9 }], 2);
        expect((await store.load(quiet, 10)).messages.map((m) => m.seq)).toEqual([2, 3]);
        expect((await store.load(quiet, 0)).rev).toBe(9);
        // Seq 2 is no longer the newest: the next run deletes it, and a run after that nothing.
        expect(await store.pruneHistory(now - 30 * DAY_MS)).toBe(1);
        expect((await store.load(quiet, 10)).messages.map((m) => m.seq)).toEqual([3]);
        expect(await store.pruneHistory(now - 30 * DAY_MS)).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('runs the job periodically when retention is on, and stops it on close', async () => {
      const store = await makeStore({ days: 30, intervalMs: 50, now: () => now });
      try {
        await store.append(room, [msg(1, 40), msg(2, 1)], 1);
        const deadline = Date.now() + 5000;
        while ((await store.after(room, 0, 10)).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        expect((await store.after(room, 0, 10)).map((m) => m.seq)).toEqual([2]);
      } finally {
        await store.close();
      }
    });
  });
}
