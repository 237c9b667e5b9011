import * as Y from 'yjs';
import { fakeMember, type FakeMember } from '../../engine/testing/fake-member';
import { RoomHost } from '../../engine/room-host';
import type { RoomLimits } from '../../engine/room-kind';
import { MemoryRoomStore } from '../../store/memory-room-store';
import { ManualClock } from '../../time/manual-clock';
import { boardKind } from './board-kind';
import { CURSOR_THROTTLE_MS, type BoardState, type PendingUpdate } from './board-state';

type Member = FakeMember;
const member = (id: string): Member => fakeMember(id);

const LIMITS: RoomLimits = {
  historyLimit: 5,
  resumeLimit: 4,
  maxMembers: 10,
  maxMessageLength: 100,
  maxFrameBytes: 4096,
  typingThrottleMs: 1000,
  idleMs: 30_000,
  sendBufferLimitBytes: 1 << 20,
};

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A client's copy of the board: edits make updates to send; frames received are applied. */
class Client {
  readonly doc = new Y.Doc();
  private n = 0;
  constructor(readonly m: Member) {}
  /** Sets a note's text and returns the update that made it. */
  edit(key: string, value: string): { update: string; clientMsgId: string } {
    const before = Y.encodeStateVector(this.doc);
    this.doc.getMap('notes').set(key, value);
    return { update: b64(Y.encodeStateAsUpdate(this.doc, before)), clientMsgId: `${this.m.user.id}-${++this.n}` };
  }
  /** Applies the welcome's state or updates and every `update` frame received so far. */
  sync(): void {
    for (const f of this.m.socket.frames) {
      if (f.event === 'welcome') {
        if (f.data.state) Y.applyUpdate(this.doc, Buffer.from(f.data.state, 'base64'));
        for (const u of f.data.updates ?? []) Y.applyUpdate(this.doc, Buffer.from(u.update, 'base64'));
      }
      if (f.event === 'update') Y.applyUpdate(this.doc, Buffer.from(f.data.update, 'base64'));
    }
  }
  notes(): Record<string, unknown> {
    return this.doc.getMap('notes').toJSON();
  }
}

describe('board kind', () => {
  let store: MemoryRoomStore;
  let clock: ManualClock;
  let epoch: number;

  beforeEach(() => {
    store = new MemoryRoomStore();
    clock = new ManualClock();
    epoch = 0;
  });

  async function open(): Promise<RoomHost<BoardState, PendingUpdate>> {
    epoch++;
    const snapshot = await store.load('b1', boardKind.loadLimit!(LIMITS), epoch);
    return new RoomHost({ kind: boardKind, roomId: 'b1', serverId: 's1', epoch, snapshot, store, clock, limits: LIMITS, onClosed: () => undefined });
  }

  function docOf(room: RoomHost<BoardState, PendingUpdate>): Record<string, unknown> {
    return room.content.doc.getMap('notes').toJSON();
  }

  it('welcomes with kind board, the whole state and lastSeq', async () => {
    const room = await open();
    const a = member('a');
    room.join(a);
    const [welcome] = a.socket.events('welcome');
    expect(welcome).toMatchObject({ kind: 'board', lastSeq: 0, roomId: 'b1' });
    expect(typeof welcome.state).toBe('string');
    expect(welcome.messages).toBeUndefined();
  });

  it('two clients editing at once converge with the server: acks to the sender, updates to every other socket', async () => {
    const room = await open();
    const a = new Client(member('a'));
    const aPhone = member('a');
    const b = new Client(member('b'));
    room.join(a.m);
    room.join(aPhone);
    room.join(b.m);
    // Concurrent: neither has seen the other's edit.
    const fromA = a.edit('n1', 'from a');
    const fromB = b.edit('n1', 'from b');
    const other = b.edit('n2', 'only b');
    room.handle(a.m, 'update', fromA);
    room.handle(b.m, 'update', fromB);
    room.handle(b.m, 'update', other);
    await tick();
    expect(a.m.socket.events('ack')).toEqual([{ clientMsgId: fromA.clientMsgId, seq: 1 }]);
    expect(b.m.socket.events('ack').map((x) => x.seq)).toEqual([2, 3]);
    // The sender's other device gets its update; the sending socket does not.
    expect(aPhone.socket.events('update').map((u) => u.seq)).toEqual([1, 2, 3]);
    expect(a.m.socket.events('update').map((u) => u.seq)).toEqual([2, 3]);
    expect(b.m.socket.events('update')).toEqual([{ seq: 1, update: fromA.update, userId: 'a' }]);
    a.sync();
    b.sync();
    expect(a.notes()).toEqual(b.notes());
    expect(docOf(room)).toEqual(a.notes());
    expect(Object.keys(docOf(room)).sort()).toEqual(['n1', 'n2']);
    // Stored as messages, one per update, text the base64 update.
    expect((await store.after('b1', 0, 10)).map((m) => [m.seq, m.id, m.text])).toEqual([
      [1, fromA.clientMsgId, fromA.update],
      [2, fromB.clientMsgId, fromB.update],
      [3, other.clientMsgId, other.update],
    ]);
  });

  it('refuses a payload that is not a Yjs update with invalid, and leaves the document unchanged', async () => {
    const room = await open();
    const a = new Client(member('a'));
    const b = member('b');
    room.join(a.m);
    room.join(b);
    room.handle(a.m, 'update', a.edit('n1', 'kept'));
    await tick();
    const before = Y.encodeStateAsUpdate(room.content.doc);
    room.handle(a.m, 'update', { update: Buffer.from('not a yjs update at all').toString('base64'), clientMsgId: 'bad-1' });
    room.handle(a.m, 'update', { update: b64(new Uint8Array(LIMITS.maxFrameBytes + 1)), clientMsgId: 'bad-2' });
    await tick();
    expect(a.m.socket.events('error').map((e) => e.code)).toEqual(['invalid', 'invalid']);
    expect(Y.encodeStateAsUpdate(room.content.doc)).toEqual(before);
    expect(docOf(room)).toEqual({ n1: 'kept' });
    expect(b.socket.events('update')).toHaveLength(1);
    expect(room.lastSeq).toBe(1);
    expect(await store.after('b1', 0, 10)).toHaveLength(1);
  });

  it('acks a repeated clientMsgId again without applying or storing it twice, while pending and once stored', async () => {
    const room = await open();
    const a = new Client(member('a'));
    const b = member('b');
    room.join(a.m);
    room.join(b);
    const edit = a.edit('n1', 'once');
    room.handle(a.m, 'update', edit);
    room.handle(a.m, 'update', edit);
    await tick();
    room.handle(a.m, 'update', edit);
    expect(a.m.socket.events('ack')).toEqual([
      { clientMsgId: edit.clientMsgId, seq: 1 },
      { clientMsgId: edit.clientMsgId, seq: 1 },
      { clientMsgId: edit.clientMsgId, seq: 1 },
    ]);
    expect(b.socket.events('update')).toHaveLength(1);
    expect(room.lastSeq).toBe(1);
    expect(await store.after('b1', 0, 10)).toHaveLength(1);
  });

  it('resumes by since with the updates after it, or the whole state when they are no longer kept', async () => {
    const room = await open();
    const a = new Client(member('a'));
    room.join(a.m);
    for (let i = 1; i <= 6; i++) room.handle(a.m, 'update', a.edit(`n${i}`, `v${i}`));
    await tick();
    const recent = member('c');
    room.join(recent, 4);
    expect(recent.socket.events('welcome')[0].updates.map((u: { seq: number }) => u.seq)).toEqual([5, 6]);
    expect(recent.socket.events('welcome')[0].state).toBeUndefined();
    // resumeLimit 4: updates 3..6 are kept, so since=1 needs 2, which is gone.
    const old = new Client(member('d'));
    room.join(old.m, 1);
    expect(old.m.socket.events('welcome')[0].updates).toBeUndefined();
    old.sync();
    expect(old.notes()).toEqual(docOf(room));
  });

  it('a room loaded again builds the document from every stored update, in seq order', async () => {
    const first = await open();
    const a = new Client(member('a'));
    first.join(a.m);
    for (let i = 1; i <= 7; i++) first.handle(a.m, 'update', a.edit('n', `v${i}`));
    await tick();
    await first.drain();
    const again = await open();
    expect(again.lastSeq).toBe(7);
    expect(docOf(again)).toEqual({ n: 'v7' });
    const fresh = new Client(member('e'));
    again.join(fresh.m);
    fresh.sync();
    expect(fresh.notes()).toEqual({ n: 'v7' });
    // Duplicates are still known after a reload.
    again.handle(fresh.m, 'update', { update: a.edit('n', 'x').update, clientMsgId: 'a-7' });
    expect(fresh.m.socket.events('ack')).toEqual([{ clientMsgId: 'a-7', seq: 7 }]);
  });

  it('passes cursors on to the others, throttled per user (the newest held one trails), never stored', async () => {
    const room = await open();
    const a = member('a');
    const b = member('b');
    room.join(a);
    room.join(b);
    room.handle(a, 'cursor', { x: 1, y: 1 });
    room.handle(a, 'cursor', { x: 2, y: 2 });
    room.handle(a, 'cursor', { x: 3, y: 3 });
    expect(b.socket.events('cursor')).toEqual([{ userId: 'a', x: 1, y: 1 }]);
    clock.advance(CURSOR_THROTTLE_MS);
    expect(b.socket.events('cursor')).toEqual([
      { userId: 'a', x: 1, y: 1 },
      { userId: 'a', x: 3, y: 3 },
    ]);
    expect(a.socket.events('cursor')).toEqual([]);
    await tick();
    expect(room.lastSeq).toBe(0);
    expect(await store.after('b1', 0, 10)).toEqual([]);
  });

  it("refuses chat's frames with unknown_event", async () => {
    const room = await open();
    const a = member('a');
    room.join(a);
    for (const event of ['send', 'edit', 'react', 'history']) room.handle(a, event, {});
    expect(a.socket.events('error').map((e) => e.code)).toEqual(['unknown_event', 'unknown_event', 'unknown_event', 'unknown_event']);
  });
});
