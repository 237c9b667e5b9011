import { MemoryRoomStore } from './memory-room-store';
import { describeRoomStoreContract } from './room-store.contract';

describeRoomStoreContract('MemoryRoomStore', async () => new MemoryRoomStore());

describe('MemoryRoomStore trimming', () => {
  const msg = (seq: number) => ({ seq, id: `m${seq}`, userId: 'u', name: 'U', text: `t${seq}`, ts: seq });

  it('keeps at least the newest maxMessages of a room, and its last seq', async () => {
    const store = new MemoryRoomStore(100);
    for (let seq = 1; seq <= 1000; seq++) await store.append('r', [msg(seq)]);
    const snapshot = await store.load('r', 1000);
    expect(snapshot.lastSeq).toBe(1000);
    expect(snapshot.messages.length).toBeGreaterThanOrEqual(100);
    expect(snapshot.messages.length).toBeLessThanOrEqual(125);
    expect(snapshot.messages.at(-1)?.seq).toBe(1000);
    expect((await store.before('r', 1001, 100)).map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    await expect(store.append('r', [msg(1000)])).rejects.toThrow('already stored');
  });
});
