import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeqConflictError, StaleEpochError } from './room-store.port';
import { describeHistoryPruning } from './history-retention.contract';
import { describeRoomStoreContract } from './room-store.contract';
import { SqliteRoomStore } from './sqlite-room-store';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-room-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRoomStoreContract('SqliteRoomStore', async () => new SqliteRoomStore(join(dir, 'rooms.sqlite')));
describeHistoryPruning('SqliteRoomStore', async (retention) => new SqliteRoomStore(join(dir, 'retention.sqlite'), { retention }));

describe('SqliteRoomStore identity', () => {
  it('is the file’s: the same for every server that opens it, again after a reopen, another for another file', async () => {
    const first = new SqliteRoomStore(join(dir, 'identity-a.sqlite'));
    const second = new SqliteRoomStore(join(dir, 'identity-a.sqlite'));
    const elsewhere = new SqliteRoomStore(join(dir, 'identity-b.sqlite'));
    const id = await first.identity();
    expect(await second.identity()).toBe(id);
    expect(await elsewhere.identity()).not.toBe(id);
    await Promise.all([first.close(), second.close(), elsewhere.close()]);
    const reopened = new SqliteRoomStore(join(dir, 'identity-a.sqlite'));
    expect(await reopened.identity()).toBe(id);
    await reopened.close();
  });
});

describe('SqliteRoomStore over one file shared by two owners', () => {
  const file = join(dir, 'shared.sqlite');
  const msg = (seq: number) => ({ seq, id: `c${seq}`, userId: 'u', name: 'U', text: `t${seq}`, ts: seq });

  it('lets a second owner continue the seq and makes the first one conflict', async () => {
    const first = new SqliteRoomStore(file);
    const second = new SqliteRoomStore(file);
    try {
      await first.append('r', [msg(1), msg(2)], 1);
      const snap = await second.load('r', 10);
      expect(snap.lastSeq).toBe(2);
      await second.append('r', [msg(3)], 1);
      // The first owner still believes seq 3 is free.
      await expect(first.append('r', [msg(3)], 1)).rejects.toBeInstanceOf(SeqConflictError);
      expect((await first.load('r', 10)).messages.map((m) => m.text)).toEqual(['t1', 't2', 't3']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('fences the first owner once the second claimed a newer epoch, also in a group commit with other rooms', async () => {
    const first = new SqliteRoomStore(join(dir, 'fenced.sqlite'));
    const second = new SqliteRoomStore(join(dir, 'fenced.sqlite'));
    try {
      await first.load('r', 10, 1);
      await first.append('r', [msg(1)], 1);
      expect((await second.load('r', 10, 2)).lastSeq).toBe(1);
      // The first owner's next batch goes in one transaction with another room's: only it is refused.
      const results = await Promise.allSettled([first.append('r', [msg(2)], 1), first.append('other', [msg(1)], 1)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleEpochError);
      expect(await second.fence('r')).toEqual({ epoch: 2, lastSeq: 1 });
      // Also when the same flush hits a seq conflict and falls back to one savepoint per batch.
      await second.append('r', [msg(2)], 2);
      const slow = await Promise.allSettled([first.append('r', [msg(3)], 1), first.append('other', [msg(1)], 1), first.append('third', [msg(1)], 1)]);
      expect(slow.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
      expect((slow[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleEpochError);
      expect((slow[1] as PromiseRejectedResult).reason).toBeInstanceOf(SeqConflictError);
      expect(await second.fence('r')).toEqual({ epoch: 2, lastSeq: 2 });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('creates its directory and survives being reopened', async () => {
    const nested = join(dir, 'a', 'b', 'rooms.sqlite');
    const store = new SqliteRoomStore(nested);
    await store.append('r', [msg(1)], 1);
    await store.close();
    const again = new SqliteRoomStore(nested);
    expect((await again.load('r', 10)).lastSeq).toBe(1);
    await again.close();
  });
});

describe('SqliteRoomStore group commit', () => {
  const msg = (seq: number, room = 'r') => ({ seq, id: `${room}${seq}`, userId: 'u', name: 'U', text: `t${seq}`, ts: seq });

  it('writes the appends of several rooms made in one turn, failing only the conflicting room', async () => {
    const store = new SqliteRoomStore(join(dir, 'group.sqlite'));
    try {
      await store.append('b', [msg(1, 'b')], 1);
      const results = await Promise.allSettled([
        store.append('a', [msg(1, 'a'), msg(2, 'a')], 1),
        store.append('b', [msg(1, 'b')], 1), // conflicts
        store.append('c', [msg(1, 'c')], 1),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(SeqConflictError);
      expect((await store.load('a', 10)).lastSeq).toBe(2);
      expect((await store.load('b', 10)).messages).toEqual([msg(1, 'b')]);
      expect((await store.load('c', 10)).lastSeq).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('stores appends still pending when closed', async () => {
    const file = join(dir, 'close-flush.sqlite');
    const store = new SqliteRoomStore(file);
    const appended = store.append('r', [msg(1)], 1);
    await store.close();
    await appended;
    const again = new SqliteRoomStore(file);
    expect((await again.load('r', 10)).lastSeq).toBe(1);
    await again.close();
    await expect(store.append('r', [msg(2)], 1)).rejects.toThrow(/closed/);
  });
});
