import { MemoryRoomStore } from './memory-room-store';
import { describeRoomStoreContract } from './room-store.contract';

describeRoomStoreContract('MemoryRoomStore', async () => new MemoryRoomStore());

describe('MemoryRoomStore identity', () => {
  it('is the process’s store: two stores are two identities', async () => {
    expect(await new MemoryRoomStore().identity()).not.toBe(await new MemoryRoomStore().identity());
  });
});

describe('MemoryRoomStore trimming', () => {
  const msg = (seq: number) => ({ seq, id: `m${seq}`, userId: 'u', name: 'U', text: `t${seq}`, ts: seq });

  it('keeps the newest maxMessages of a room, and its last seq', async () => {
    const store = new MemoryRoomStore(100);
    for (let seq = 1; seq <= 1000; seq++) await store.append('r', [msg(seq)], 1);
    const snapshot = await store.load('r', 1000);
    expect(snapshot.lastSeq).toBe(1000);
    expect(snapshot.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    expect((await store.before('r', 1001, 100)).map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    await expect(store.append('r', [msg(1000)], 1)).rejects.toThrow('already stored');
  });

  it('refuses a batch with a gap in its seqs, and stores none of it', async () => {
    const store = new MemoryRoomStore();
    await store.append('r', [msg(1), msg(2)], 1);
    await expect(store.append('r', [msg(4)], 1)).rejects.toThrow('seq 4 does not follow 2');
    await expect(store.append('r', [msg(3), msg(5)], 1)).rejects.toThrow('seq 5 does not follow 3');
    expect((await store.load('r', 10)).messages.map((m) => m.seq)).toEqual([1, 2]);
  });
});
