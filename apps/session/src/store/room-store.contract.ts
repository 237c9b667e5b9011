import { randomBytes } from 'node:crypto';
import type { Message } from '@app/shared';
import { RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';

/**
 * The behaviour every RoomStore adapter must have. Each adapter's spec calls this with a factory
 * for a fresh store; room ids are random, so stores backed by a shared server (Redis) may be reused.
 */
export function describeRoomStoreContract(name: string, makeStore: () => Promise<RoomStore>): void {
  describe(`RoomStore contract: ${name}`, () => {
    let store: RoomStore;
    let room: string;

    beforeEach(async () => {
      store = await makeStore();
      room = `room-${randomBytes(6).toString('hex')}`;
    });

    afterEach(async () => {
      await store.close();
    });

    const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
      seq,
      id: `c-${seq}`,
      userId: `u-${seq % 3}`,
      name: `User ${seq % 3}`,
      text: `text ${seq}`,
      ts: 1_700_000_000_000 + seq,
      ...extra,
    });
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
    const seqs = (list: Message[]) => list.map((m) => m.seq);

    it('loads an unknown room as empty', async () => {
      expect(await store.load(room, 100)).toEqual({ lastSeq: 0, messages: [], epoch: 0 });
      expect(await store.before(room, 10, 10)).toEqual([]);
      expect(await store.after(room, 0, 10)).toEqual([]);
    });

    it('loads the newest `limit` messages oldest first, and lastSeq', async () => {
      await store.append(room, range(1, 5), 1);
      await store.append(room, range(6, 8), 1);
      const snap = await store.load(room, 3);
      expect(snap.lastSeq).toBe(8);
      expect(seqs(snap.messages)).toEqual([6, 7, 8]);
      expect(seqs((await store.load(room, 100)).messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('reports lastSeq even when asked for no messages', async () => {
      await store.append(room, range(1, 4), 1);
      expect(await store.load(room, 0)).toEqual({ lastSeq: 4, messages: [], epoch: 1 });
    });

    it('keeps every field exactly, including multi-line and astral text', async () => {
      const m = msg(1, { id: 'id-✓', name: 'Zoë 🐙', text: 'line one\nline\ttwo 🎉 ' });
      await store.append(room, [m], 1);
      expect((await store.load(room, 1)).messages).toEqual([m]);
      expect(await store.after(room, 0, 1)).toEqual([m]);
      expect(await store.before(room, 2, 1)).toEqual([m]);
    });

    it('pages backwards with before: the newest `limit` older than `before`, oldest first', async () => {
      await store.append(room, range(1, 10), 1);
      expect(seqs(await store.before(room, 6, 2))).toEqual([4, 5]);
      expect(seqs(await store.before(room, 3, 50))).toEqual([1, 2]);
      expect(seqs(await store.before(room, 1, 50))).toEqual([]);
      expect(seqs(await store.before(room, 1000, 3))).toEqual([8, 9, 10]);
    });

    it('reads forwards with after: the newest `limit` newer than `after`, oldest first', async () => {
      await store.append(room, range(1, 10), 1);
      expect(seqs(await store.after(room, 7, 100))).toEqual([8, 9, 10]);
      expect(seqs(await store.after(room, 0, 3))).toEqual([8, 9, 10]);
      expect(seqs(await store.after(room, 2, 100))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
      expect(seqs(await store.after(room, 10, 100))).toEqual([]);
      expect(seqs(await store.after(room, 50, 100))).toEqual([]);
    });

    it('rejects a seq that is already stored with SeqConflictError', async () => {
      await store.append(room, range(1, 3), 1);
      const err = await store.append(room, [msg(3, { text: 'from another owner' })], 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SeqConflictError);
      expect(err).toMatchObject({ name: 'SeqConflictError', roomId: room, seq: 3 });
      expect((await store.load(room, 10)).messages[2].text).toBe('text 3');
    });

    it('stores nothing of a batch that conflicts', async () => {
      await store.append(room, range(1, 3), 1);
      await expect(store.append(room, range(3, 5), 1)).rejects.toBeInstanceOf(SeqConflictError);
      expect((await store.load(room, 10)).lastSeq).toBe(3);
      await store.append(room, range(4, 5), 1);
      expect((await store.load(room, 10)).lastSeq).toBe(5);
    });

    it('keeps rooms apart', async () => {
      const other = `${room}-other`;
      await store.append(room, range(1, 3), 1);
      await store.append(other, range(1, 2), 1);
      expect((await store.load(room, 10)).lastSeq).toBe(3);
      expect(seqs((await store.load(other, 10)).messages)).toEqual([1, 2]);
      expect(seqs(await store.before(other, 100, 100))).toEqual([1, 2]);
    });

    describe('fencing epochs', () => {
      it('claims an epoch on load and reports it, with fence', async () => {
        expect(await store.fence(room)).toEqual({ epoch: 0, lastSeq: 0 });
        expect((await store.load(room, 10, 3)).epoch).toBe(3);
        expect(await store.fence(room)).toEqual({ epoch: 3, lastSeq: 0 });
        // A load without a claim only reads.
        expect((await store.load(room, 10)).epoch).toBe(3);
        // The same epoch again (another connection of the same owner) and a newer one are fine.
        expect((await store.load(room, 10, 3)).epoch).toBe(3);
        expect((await store.load(room, 10, 5)).epoch).toBe(5);
      });

      it('refuses a load claiming an older epoch than the newest seen, changing nothing', async () => {
        await store.load(room, 10, 4);
        const err = await store.load(room, 10, 3).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StaleEpochError);
        expect(err).toMatchObject({ name: 'StaleEpochError', roomId: room, epoch: 3, storedEpoch: 4 });
        expect((await store.fence(room)).epoch).toBe(4);
      });

      it('refuses a write under an older epoch once a newer owner loaded the room, storing nothing', async () => {
        await store.load(room, 10, 1);
        await store.append(room, range(1, 3), 1);
        // The room moved: the new owner claims epoch 2 and sees every message stored before.
        const snap = await store.load(room, 10, 2);
        expect(snap.lastSeq).toBe(3);
        // The old owner, paused meanwhile, writes the next seq: no seq conflict, but a stale epoch.
        const err = await store.append(room, [msg(4, { text: 'zombie' })], 1).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StaleEpochError);
        expect(err).toMatchObject({ roomId: room, epoch: 1, storedEpoch: 2 });
        expect(await store.fence(room)).toEqual({ epoch: 2, lastSeq: 3 });
        await store.append(room, [msg(4, { text: 'new owner' })], 2);
        expect((await store.after(room, 3, 10)).map((m) => m.text)).toEqual(['new owner']);
      });

      it('raises the epoch on a write under a newer one', async () => {
        await store.append(room, range(1, 2), 7);
        expect(await store.fence(room)).toEqual({ epoch: 7, lastSeq: 2 });
        await expect(store.append(room, [msg(3)], 6)).rejects.toBeInstanceOf(StaleEpochError);
        await expect(store.load(room, 10, 6)).rejects.toBeInstanceOf(StaleEpochError);
      });

      it('checks the epoch before the seq: a stale writer of a stored seq gets StaleEpochError', async () => {
        await store.append(room, range(1, 3), 2);
        await expect(store.append(room, [msg(3)], 1)).rejects.toBeInstanceOf(StaleEpochError);
      });

      it('keeps epochs per room', async () => {
        await store.load(room, 10, 9);
        await store.append(`${room}-other`, range(1, 1), 1);
        expect((await store.fence(`${room}-other`)).epoch).toBe(1);
      });
    });

    it('accepts an empty batch', async () => {
      await store.append(room, [], 1);
      expect((await store.load(room, 10)).lastSeq).toBe(0);
    });
  });
}
