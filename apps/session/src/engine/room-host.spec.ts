import { CloseCode } from '@app/shared';
import { MemoryRoomStore } from '../store/memory-room-store';
import { StaleEpochError } from '../store/room-store.port';
import { ManualClock } from '../time/manual-clock';
import type { RoomMember } from './member-socket';
import { fakeMember } from './testing/fake-member';
import { RoomHost } from './room-host';
import type { RoomContext, RoomKind, RoomLimits } from './room-kind';

// The engine with a kind that is not chat: a tally that members add to. What the engine does
// (presence, delivery, the write queue, close on a fenced write) must not depend on chat.

const member = (id: string) => fakeMember(id);

const frame = (event: string, data: unknown) => Buffer.from(JSON.stringify({ event, data }));

type TallyWrite = { call: 'add' | 'reset'; n: number; by: RoomMember };

interface Tally {
  room: RoomContext<TallyWrite>;
  total: number;
  /** What the kind writes outside the queue (as chat writes read markers). */
  sideWrites: number;
}

/** Each store call the kind makes, and how to end it. */
let calls: Array<{ run: TallyWrite[]; resolve: () => void; reject: (err: unknown) => void }>;

const tally: RoomKind<Tally, TallyWrite> = {
  name: 'tally',
  create: (room) => ({ room, total: 0, sideWrites: 0 }),
  welcome: (state, member, members) => frame('welcome', { total: state.total, you: member.user.id, members: members.map((m) => m.id) }),
  handlers: {
    add: (state: Tally, member: RoomMember, { n }: { n: number }) => {
      if (state.room.isOpen && state.room.isMember(member)) state.room.enqueue({ call: 'add', n, by: member });
    },
    reset: (state: Tally, member: RoomMember) => state.room.enqueue({ call: 'reset', n: 0, by: member }),
  },
  write: (_state, run) => new Promise<void>((resolve, reject) => calls.push({ run: [...run], resolve, reject })),
  stored(state, run) {
    for (const w of run) {
      state.total = w.call === 'reset' ? 0 : state.total + w.n;
      state.room.broadcast(frame('total', state.total));
    }
  },
  busy: (state) => state.sideWrites > 0,
  closed: () => undefined,
  lastSeq: (state) => state.total,
};

const LIMITS: RoomLimits = {
  historyLimit: 5,
  resumeLimit: 10,
  maxMembers: 2,
  maxMessageLength: 100,
  maxFrameBytes: 1000,
  typingThrottleMs: 1000,
  idleMs: 30_000,
  sendBufferLimitBytes: 1024,
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RoomHost with a kind that is not chat', () => {
  let closed: RoomHost<Tally, TallyWrite>[];

  function makeRoom() {
    return new RoomHost<Tally, TallyWrite>({
      kind: tally,
      roomId: 'r1',
      serverId: 's1',
      epoch: 1,
      snapshot: { lastSeq: 0, messages: [], epoch: 1, rev: 0, reads: [] },
      store: new MemoryRoomStore(),
      clock: new ManualClock(),
      limits: LIMITS,
      onClosed: (room) => closed.push(room),
    });
  }

  beforeEach(() => {
    calls = [];
    closed = [];
  });

  it('sends the kind’s welcome, and the engine’s joined, left and full', () => {
    const room = makeRoom();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    expect(room.join(a)).toBe('joined');
    expect(room.join(b)).toBe('joined');
    expect(room.join(c)).toBe('full');
    expect(b.socket.events('welcome')).toEqual([{ total: 0, you: 'b', members: ['a', 'b'] }]);
    expect(a.socket.events('joined')).toEqual([{ user: { id: 'b', name: 'b' } }]);
    room.leave(b);
    expect(a.socket.events('left')).toEqual([{ user: { id: 'b', name: 'b' } }]);
    expect(room.memberIds()).toEqual(['a']);
  });

  it('hands frames to the kind by event, and refuses an event the kind does not take', () => {
    const room = makeRoom();
    const a = member('a');
    room.join(a);
    room.handle(a, 'toString', {});
    room.handle(a, 'send', { text: 'hi' });
    expect(a.socket.events('error')).toEqual([
      { code: 'unknown_event', message: 'tally rooms take no toString frames' },
      { code: 'unknown_event', message: 'tally rooms take no send frames' },
    ]);
  });

  it('stores runs of one call together, one store call at a time, and sends nothing before it is stored', async () => {
    const room = makeRoom();
    const a = member('a');
    room.join(a);
    room.handle(a, 'add', { n: 1 });
    room.handle(a, 'add', { n: 2 });
    room.handle(a, 'reset', {});
    room.handle(a, 'add', { n: 5 });
    await tick();
    expect(calls.map((c) => c.run.map((w) => w.call))).toEqual([['add', 'add']]);
    room.handle(a, 'add', { n: 7 });
    await tick();
    expect(calls).toHaveLength(1); // waits for the call in flight
    expect(a.socket.events('total')).toEqual([]);
    const settled = room.settled();
    calls[0].resolve();
    await tick();
    expect(a.socket.events('total')).toEqual([1, 3]);
    expect(calls.map((c) => c.run.map((w) => w.call))).toEqual([['add', 'add'], ['reset']]);
    calls[1].resolve();
    await tick();
    expect(calls.map((c) => c.run.map((w) => w.n))).toEqual([[1, 2], [0], [5, 7]]);
    calls[2].resolve();
    await settled;
    expect(a.socket.events('total')).toEqual([1, 3, 0, 5, 12]);
    expect(room.lastSeq).toBe(12);
  });

  it('gives the room up (4404) when a write is refused under a newer epoch, and stores nothing more', async () => {
    const room = makeRoom();
    const a = member('a');
    room.join(a);
    room.handle(a, 'add', { n: 1 });
    await tick();
    room.handle(a, 'add', { n: 2 });
    calls[0].reject(new StaleEpochError('r1', 1, 2));
    await tick();
    expect(a.socket.closedWith).toBe(CloseCode.RoomMoved);
    expect(a.socket.events('total')).toEqual([]);
    expect(closed).toEqual([room]);
    expect(calls).toHaveLength(1);
    expect(room.isOpen).toBe(false);
  });

  it('closes with 1012 when the store fails otherwise', async () => {
    const room = makeRoom();
    const a = member('a');
    room.join(a);
    room.handle(a, 'add', { n: 1 });
    await tick();
    calls[0].reject(new Error('disk gone'));
    await tick();
    expect(a.socket.closedWith).toBe(CloseCode.ServiceRestart);
  });

  it('drains only once the kind’s own writes are done too', async () => {
    const room = makeRoom();
    const a = member('a');
    room.join(a);
    room.content.sideWrites = 1;
    let drained = false;
    void room.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    room.content.sideWrites = 0;
    room.content.room.checkSettled();
    await room.closed;
    expect(a.socket.closedWith).toBe(CloseCode.ServiceRestart);
  });
});
