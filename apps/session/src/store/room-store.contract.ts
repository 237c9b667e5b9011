import { randomBytes } from 'node:crypto';
import type { Message, MessageV2 } from '@app/shared';
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

    it('has an identity that stays the same', async () => {
      const id = await store.identity();
      expect(id).toMatch(/^[a-z]+:[0-9a-f-]{36}$/);
      expect(await store.identity()).toBe(id);
    });

    it('loads an unknown room as empty', async () => {
      expect(await store.load(room, 100)).toEqual({ lastSeq: 0, messages: [], epoch: 0, rev: 0, reads: [] });
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
      expect(await store.load(room, 0)).toEqual({ lastSeq: 4, messages: [], epoch: 1, rev: 0, reads: [] });
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

    describe('revisions, changes and read markers (version 2)', () => {
      const withRev = (seq: number): MessageV2 => ({ ...msg(seq), rev: seq });

      it('keeps the room rev: the newest rev appended, raised by updates, never lowered', async () => {
        await store.append(room, [1, 2, 3].map(withRev), 1);
        expect((await store.load(room, 10)).rev).toBe(3);
        await store.update(room, [{ ...withRev(2), text: 'edited', editedAt: 99, rev: 4 }], 1);
        expect((await store.load(room, 10)).rev).toBe(4);
        await store.append(room, [{ ...msg(4), rev: 5 }], 1);
        expect((await store.load(room, 10)).rev).toBe(5);
        // A version-1 writer's message (no rev) leaves the rev as it is.
        await store.append(room, [msg(5)], 1);
        expect((await store.load(room, 10)).rev).toBe(5);
      });

      it('stores edits, deletions and reactions as the current state of the message, everywhere it is read', async () => {
        await store.append(room, [1, 2, 3].map(withRev), 1);
        const edited: MessageV2 = { ...withRev(1), text: 'new text 🎉', editedAt: 1_700_000_000_500, rev: 4 };
        const deleted: MessageV2 = { ...withRev(2), text: '', deleted: true, rev: 5 };
        const reacted: MessageV2 = { ...withRev(3), reactions: { '👍': ['u-1', 'u-2'], '🎉': ['u-2'] }, rev: 6 };
        await store.update(room, [edited, deleted], 1);
        await store.update(room, [reacted], 1);
        const expected = [edited, deleted, reacted];
        expect((await store.load(room, 10)).messages).toEqual(expected);
        expect(await store.after(room, 0, 10)).toEqual(expected);
        expect(await store.before(room, 4, 10)).toEqual(expected);
        // Reactions removed again: the field goes away; the newest of several changes of one seq wins.
        const cleared: MessageV2 = { ...withRev(3), rev: 7 };
        await store.update(
          room,
          [
            { ...withRev(3), reactions: { '👍': ['u-1'] }, rev: 7 },
            { ...cleared, rev: 8 },
          ],
          1,
        );
        expect(await store.after(room, 2, 10)).toEqual([{ ...cleared, rev: 8 }]);
        expect((await store.load(room, 0)).rev).toBe(8);
        expect((await store.load(room, 0)).lastSeq).toBe(3);
      });

      it('keeps reactions named __proto__ and constructor as data, everywhere it is read (issue 23)', async () => {
        await store.append(room, [1].map(withRev), 1);
        const reactions = JSON.parse('{"__proto__":["u-1"],"constructor":["u-2"]}') as Record<string, string[]>;
        await store.update(room, [{ ...withRev(1), reactions, rev: 2 }], 1);
        for (const m of [(await store.load(room, 10)).messages[0], (await store.after(room, 0, 10))[0], (await store.before(room, 2, 10))[0]]) {
          expect(JSON.stringify(m.reactions)).toBe('{"__proto__":["u-1"],"constructor":["u-2"]}');
          expect(Object.hasOwn(m.reactions!, '__proto__')).toBe(true);
          // The key stayed a key: it did not become the object's prototype.
          expect(Array.isArray(Object.getPrototypeOf(m.reactions))).toBe(false);
        }
      });

      it('skips a change of a seq it does not hold, yet counts its rev', async () => {
        await store.append(room, [1, 2].map(withRev), 1);
        await store.update(room, [{ ...withRev(9), text: 'nowhere', rev: 3 }], 1);
        const snap = await store.load(room, 10);
        expect(snap.messages).toEqual([1, 2].map(withRev));
        expect(snap.rev).toBe(3);
      });

      it('refuses changes and read markers under an older epoch, changing nothing', async () => {
        await store.append(room, [1].map(withRev), 1);
        await store.load(room, 10, 2);
        await expect(store.update(room, [{ ...withRev(1), text: 'zombie', rev: 2 }], 1)).rejects.toBeInstanceOf(StaleEpochError);
        await expect(store.saveReads(room, [{ userId: 'u-1', seq: 1 }], 1)).rejects.toBeInstanceOf(StaleEpochError);
        const snap = await store.load(room, 10);
        expect(snap.messages[0].text).toBe('text 1');
        expect(snap.rev).toBe(1);
        expect(snap.reads).toEqual([]);
      });

      it('keeps read markers per user, raised to the max, with the room', async () => {
        await store.append(room, [1, 2, 3, 4].map(withRev), 1);
        await store.saveReads(
          room,
          [
            { userId: 'u-1', seq: 3 },
            { userId: 'u-2', seq: 1 },
          ],
          1,
        );
        await store.saveReads(room, [{ userId: 'u-1', seq: 2 }], 1);
        await store.saveReads(room, [{ userId: 'u-2', seq: 4 }], 1);
        await store.saveReads(`${room}-other`, [{ userId: 'u-1', seq: 9 }], 1);
        const byUser = (reads: { userId: string; seq: number }[]) => Object.fromEntries(reads.map((r) => [r.userId, r.seq]));
        expect(byUser((await store.load(room, 0)).reads)).toEqual({ 'u-1': 3, 'u-2': 4 });
        // A new owner (a claim) gets them too.
        expect(byUser((await store.load(room, 0, 2)).reads)).toEqual({ 'u-1': 3, 'u-2': 4 });
      });
    });
  });
}
