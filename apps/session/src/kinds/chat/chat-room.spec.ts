import { CloseCode, type Message } from '@app/shared';
import { MemoryRoomStore } from '../../store/memory-room-store';
import { type RoomSnapshot, type RoomStore, SeqConflictError } from '../../store/room-store.port';
import { ManualClock } from '../../time/manual-clock';
import { MAX_WITHHELD_FRAMES, SLOW_CONSUMER_CLOSE_CODE } from '../../engine/delivery';
import { ChatRoom, type ChatRoomLimits, type ChatRoomOptions } from './chat-room';
import { fakeMember, type FakeMember } from '../../engine/testing/fake-member';

const LIMITS: ChatRoomLimits = {
  historyLimit: 5,
  resumeLimit: 10,
  maxMembers: 3,
  maxMessageLength: 4000,
  maxFrameBytes: 65536,
  typingThrottleMs: 1000,
  idleMs: 30_000,
  sendBufferLimitBytes: 1024,
};

function member(userId: string, name = userId.toUpperCase()): FakeMember {
  return fakeMember(userId, name);
}

function stored(seq: number, userId = 'u0', id = `m${seq}`): Message {
  return { seq, id, userId, name: userId, text: `t${seq}`, ts: seq };
}

describe('ChatRoom', () => {
  let clock: ManualClock;
  let store: RoomStore;
  let closed: ChatRoom[];

  function makeRoom(
    snapshot: RoomSnapshot = { lastSeq: 0, messages: [], epoch: 1, rev: 0, reads: [] },
    limits: Partial<ChatRoomLimits> = {},
    extra: Partial<ChatRoomOptions> = {},
  ) {
    return new ChatRoom({
      roomId: 'room-1',
      serverId: 'srv-1',
      epoch: 1,
      snapshot,
      store,
      clock,
      limits: { ...LIMITS, ...limits },
      onClosed: (r) => closed.push(r),
      ...extra,
    });
  }

  async function filledRoom(count: number, limits: Partial<ChatRoomLimits> = {}) {
    const messages = Array.from({ length: count }, (_, i) => stored(i + 1));
    await store.append('room-1', messages, 1);
    return makeRoom(await store.load('room-1', Math.max(LIMITS.resumeLimit, limits.resumeLimit ?? 0)), limits);
  }

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryRoomStore();
    closed = [];
  });

  describe('join and welcome', () => {
    it('welcomes with room, server, you, members, last messages, lastSeq and limits', async () => {
      const room = await filledRoom(7);
      const alice = member('alice');
      expect(room.join(alice)).toBe('joined');
      const [welcome] = alice.socket.events('welcome');
      expect(welcome).toEqual({
        roomId: 'room-1',
        kind: 'chat',
        serverId: 'srv-1',
        you: { id: 'alice', name: 'ALICE' },
        members: [{ id: 'alice', name: 'ALICE' }],
        messages: [3, 4, 5, 6, 7].map((s) => stored(s)),
        lastSeq: 7,
        limits: { maxMessageLength: 4000, maxMembers: 3, maxFrameBytes: 65536 },
        epoch: 1,
        name: null,
        rev: 0,
        readSeq: 0,
        reads: [{ userId: 'alice', seq: 0 }],
        changed: [],
      });
      expect(alice.socket.frames).toHaveLength(1);
    });

    it('welcomes an empty room with lastSeq 0 and no messages', () => {
      const alice = member('alice');
      makeRoom().join(alice);
      expect(alice.socket.events('welcome')[0]).toMatchObject({ messages: [], lastSeq: 0 });
    });
  });

  describe('resume with since', () => {
    const seqsAfter = (room: ChatRoom, since: number) => {
      const m = member(`u${since}`);
      room.join(m, since);
      return (m.socket.events('welcome')[0].messages as Message[]).map((x) => x.seq);
    };

    it('sends exactly the messages after since', async () => {
      const room = await filledRoom(12, { maxMembers: 10 });
      expect(seqsAfter(room, 9)).toEqual([10, 11, 12]);
      expect(seqsAfter(room, 11)).toEqual([12]);
    });

    it('sends none when since >= lastSeq', async () => {
      const room = await filledRoom(12, { maxMembers: 10 });
      expect(seqsAfter(room, 12)).toEqual([]);
      expect(seqsAfter(room, 40)).toEqual([]);
    });

    it('since=0 means every message, capped to the newest RESUME_LIMIT', async () => {
      const small = await filledRoom(4, { maxMembers: 10 });
      expect(seqsAfter(small, 0)).toEqual([1, 2, 3, 4]);
      store = new MemoryRoomStore();
      const big = await filledRoom(25, { maxMembers: 10 });
      expect(seqsAfter(big, 0)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
      expect(seqsAfter(big, 3)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    });
  });

  describe('send', () => {
    it('numbers messages from 1, stores them, broadcasts to everyone and acks the sender only', async () => {
      const room = makeRoom();
      const alice = member('alice');
      const bob = member('bob');
      room.join(alice);
      room.join(bob);
      alice.socket.take();
      bob.socket.take();
      room.send(alice, 'hello', 'a-1');
      room.send(alice, 'again', 'a-2');
      await room.settled();
      expect(alice.socket.take()).toEqual([
        { event: 'message', data: { seq: 1, id: 'a-1', userId: 'alice', name: 'ALICE', text: 'hello', ts: clock.now(), rev: 1 } },
        { event: 'ack', data: { clientMsgId: 'a-1', seq: 1 } },
        { event: 'message', data: expect.objectContaining({ seq: 2, text: 'again' }) },
        { event: 'ack', data: { clientMsgId: 'a-2', seq: 2 } },
      ]);
      expect(bob.socket.take().map((f) => [f.event, f.data.seq])).toEqual([
        ['message', 1],
        ['message', 2],
      ]);
      expect((await store.load('room-1', 10)).lastSeq).toBe(2);
      expect(room.lastSeq).toBe(2);
    });

    it('continues the seq of the snapshot', async () => {
      const room = await filledRoom(41);
      const alice = member('alice');
      room.join(alice);
      room.send(alice, 'next', 'n');
      await room.settled();
      expect(alice.socket.events('ack')).toEqual([{ clientMsgId: 'n', seq: 42 }]);
    });

    it('broadcasts and acks only after the store accepted the message', async () => {
      let release!: () => void;
      const appended: Message[][] = [];
      const slowStore: RoomStore = {
        ...new MemoryRoomStore(),
        load: async () => ({ lastSeq: 0, messages: [], epoch: 1, rev: 0, reads: [] }),
        update: async () => undefined,
        saveReads: async () => undefined,
        fence: async () => ({ epoch: 1, lastSeq: 0 }),
        append: (_room, messages) => {
          appended.push([...messages]);
          return new Promise<void>((resolve) => (release = resolve));
        },
        before: async () => [],
        identity: async () => 'memory:spec',
        after: async () => [],
        close: async () => undefined,
      };
      store = slowStore;
      const room = makeRoom();
      const alice = member('alice');
      room.join(alice);
      alice.socket.take();
      room.send(alice, 'one', 'c1');
      room.send(alice, 'two', 'c2');
      await new Promise((r) => setImmediate(r));
      expect(appended.map((b) => b.map((m) => m.seq))).toEqual([[1, 2]]); // one write for the tick
      room.send(alice, 'three', 'c3');
      await new Promise((r) => setImmediate(r));
      expect(appended).toHaveLength(1); // waits for the write in flight
      expect(alice.socket.frames).toEqual([]);
      release();
      await new Promise((r) => setImmediate(r));
      expect(alice.socket.events('ack').map((a) => a.seq)).toEqual([1, 2]);
      expect(appended.map((b) => b.map((m) => m.seq))).toEqual([[1, 2], [3]]);
      release();
      await room.settled();
      expect(alice.socket.events('ack').map((a) => a.seq)).toEqual([1, 2, 3]);
    });

    it('does not store a clientMsgId twice: the sender gets the ack of the first', async () => {
      const room = makeRoom();
      const alice = member('alice');
      const alice2 = member('alice');
      room.join(alice);
      room.join(alice2);
      room.send(alice, 'hello', 'same');
      room.send(alice2, 'hello (retry while pending)', 'same');
      await room.settled();
      room.send(alice, 'hello (retry after ack)', 'same');
      await room.settled();
      expect(alice.socket.events('ack')).toEqual([
        { clientMsgId: 'same', seq: 1 },
        { clientMsgId: 'same', seq: 1 },
      ]);
      expect(alice2.socket.events('ack')).toEqual([{ clientMsgId: 'same', seq: 1 }]);
      expect(alice.socket.events('message')).toHaveLength(1);
      expect((await store.load('room-1', 10)).lastSeq).toBe(1);
    });

    it('de-duplicates per room as PROTOCOL.md says: another user reusing an id gets the first ack', async () => {
      const room = makeRoom();
      const alice = member('alice');
      const bob = member('bob');
      room.join(alice);
      room.join(bob);
      room.send(alice, 'from alice', 'x');
      room.send(bob, 'from bob', 'x');
      await room.settled();
      expect(bob.socket.events('ack')).toEqual([{ clientMsgId: 'x', seq: 1 }]);
      expect(alice.socket.events('message')).toHaveLength(1);
      expect((await store.load('room-1', 10)).lastSeq).toBe(1);
    });

    it('remembers clientMsgIds of the snapshot (after a move) and of the last RESUME_LIMIT messages', async () => {
      const room = await filledRoom(15); // ring keeps seqs 6..15
      const u0 = member('u0');
      room.join(u0);
      room.send(u0, 'resent', 'm15');
      room.send(u0, 'resent', 'm6');
      await room.settled();
      expect(u0.socket.events('ack')).toEqual([
        { clientMsgId: 'm15', seq: 15 },
        { clientMsgId: 'm6', seq: 6 },
      ]);
      expect(u0.socket.events('message')).toEqual([]);
      // m5 fell out of the remembered window: it is a new message now.
      room.send(u0, 'old id', 'm5');
      await room.settled();
      expect(u0.socket.events('ack').at(-1)).toEqual({ clientMsgId: 'm5', seq: 16 });
    });

    it('gives the room up with 4404 when another server stored the seq first', async () => {
      const room = makeRoom();
      const alice = member('alice');
      room.join(alice);
      await store.append('room-1', [stored(1, 'intruder')], 1);
      room.send(alice, 'mine', 'c');
      await room.closed;
      expect(alice.socket.closedWith).toBe(CloseCode.RoomMoved);
      expect(alice.socket.events('ack')).toEqual([]);
      expect(closed).toEqual([room]);
      expect(room.isOpen).toBe(false);
    });

    it('gives the room up with 4404, acking and broadcasting nothing, once a newer owner claimed the room', async () => {
      const room = makeRoom(); // epoch 1
      const alice = member('alice');
      const bob = member('bob');
      room.join(alice);
      room.join(bob);
      alice.socket.take();
      bob.socket.take();
      // The room was placed elsewhere: the new owner loaded it under epoch 2. No seq was written.
      await store.load('room-1', 10, 2);
      room.send(alice, 'into a zombie', 'z');
      await room.closed;
      expect(alice.socket.closedWith).toBe(CloseCode.RoomMoved);
      expect(bob.socket.closedWith).toBe(CloseCode.RoomMoved);
      expect(alice.socket.events('ack')).toEqual([]);
      expect(alice.socket.events('message')).toEqual([]);
      expect(bob.socket.events('message')).toEqual([]);
      expect((await store.load('room-1', 10)).lastSeq).toBe(0);
    });

    it('closes the room with 1012 when the store fails otherwise', async () => {
      store.append = async () => {
        throw new Error('disk full');
      };
      const room = makeRoom();
      const alice = member('alice');
      room.join(alice);
      room.send(alice, 'x', 'c');
      await room.closed;
      expect(alice.socket.closedWith).toBe(CloseCode.ServiceRestart);
      expect(alice.socket.events('ack')).toEqual([]);
    });

    it('rejects a SeqConflictError-shaped failure only by type', () => {
      expect(new SeqConflictError('r', 1)).toBeInstanceOf(Error);
    });
  });

  describe('history', () => {
    it('pages backwards from memory with hasMore', async () => {
      const room = await filledRoom(15); // ring 6..15
      const page = await room.history(16, 4);
      expect(page.messages.map((m) => m.seq)).toEqual([12, 13, 14, 15]);
      expect(page.hasMore).toBe(true);
      expect((await room.history(1000, 2)).messages.map((m) => m.seq)).toEqual([14, 15]);
    });

    it('reads older pages from the store and ends with hasMore false', async () => {
      const room = await filledRoom(15);
      const spy = jest.spyOn(store, 'before');
      const page = await room.history(6, 3);
      expect(page).toEqual({ messages: [3, 4, 5].map((s) => stored(s)), hasMore: true });
      expect(spy).toHaveBeenCalled();
      const last = await room.history(3, 50);
      expect(last).toEqual({ messages: [stored(1), stored(2)], hasMore: false });
      expect(await room.history(1, 50)).toEqual({ messages: [], hasMore: false });
    });

    it('returns exactly the first messages with hasMore false at the start', async () => {
      const room = await filledRoom(3);
      expect(await room.history(4, 3)).toEqual({ messages: [1, 2, 3].map((s) => stored(s)), hasMore: false });
      expect(await room.history(4, 2)).toEqual({ messages: [2, 3].map((s) => stored(s)), hasMore: true });
    });

    it('returns an empty page in an empty room', async () => {
      expect(await makeRoom().history(10, 50)).toEqual({ messages: [], hasMore: false });
    });
  });

  describe('presence', () => {
    it('counts users, not connections: joined on the first, left on the last connection', () => {
      const room = makeRoom();
      const bob = member('bob');
      const alice1 = member('alice');
      const alice2 = member('alice');
      room.join(bob);
      room.join(alice1);
      room.join(alice2);
      expect(bob.socket.events('joined')).toEqual([{ user: { id: 'alice', name: 'ALICE' } }]);
      expect(alice2.socket.events('welcome')[0].members).toEqual([
        { id: 'bob', name: 'BOB' },
        { id: 'alice', name: 'ALICE' },
      ]);
      expect(alice1.socket.events('joined')).toEqual([]);
      expect(room.memberCount).toBe(2);
      expect(room.connectionCount).toBe(3);

      room.leave(alice1);
      expect(bob.socket.events('left')).toEqual([]);
      room.leave(alice2);
      room.leave(alice2); // idempotent
      expect(bob.socket.events('left')).toEqual([{ user: { id: 'alice', name: 'ALICE' } }]);
      expect(room.memberCount).toBe(1);
    });

    it('refuses a new user beyond maxMembers but lets a present user open another connection', () => {
      const room = makeRoom(undefined, { maxMembers: 2 });
      expect(room.join(member('a'))).toBe('joined');
      expect(room.join(member('b'))).toBe('joined');
      const carol = member('c');
      expect(room.join(carol)).toBe('full');
      expect(carol.socket.frames).toEqual([]);
      expect(room.join(member('a'))).toBe('joined');
    });
  });

  describe('typing', () => {
    it('goes to the other users, at most once per throttle window per user', () => {
      const room = makeRoom();
      const alice = member('alice');
      const alice2 = member('alice');
      const bob = member('bob');
      [alice, alice2, bob].forEach((m) => room.join(m));
      room.typing(alice);
      room.typing(alice2);
      clock.advance(999);
      room.typing(alice);
      expect(bob.socket.events('typing')).toEqual([{ user: { id: 'alice', name: 'ALICE' } }]);
      expect(alice2.socket.events('typing')).toEqual([]);
      clock.advance(1);
      room.typing(alice);
      room.typing(bob);
      expect(bob.socket.events('typing')).toHaveLength(2);
      expect(alice.socket.events('typing')).toEqual([{ user: { id: 'bob', name: 'BOB' } }]);
    });
  });

  describe('while the server has no lease', () => {
    /** A room with Alice and Bob in it, whose lease then lapses. */
    function lapsedRoom() {
      let held = true;
      const room = makeRoom(undefined, {}, { lease: { held: () => held } });
      const alice = member('alice');
      const bob = member('bob');
      room.join(alice);
      room.join(bob);
      held = false;
      return { room, alice, bob, renew: () => (held = true) };
    }

    it('sends its members nothing: typing is dropped, every other frame held until the lease is renewed, in order', async () => {
      const { room, alice, bob, renew } = lapsedRoom();
      room.typing(alice);
      room.send(alice, 'hello', 'c1');
      await room.settled();
      room.read(bob, 1);
      const carol = member('carol');
      room.join(carol);
      expect(bob.socket.events('typing')).toEqual([]);
      expect(bob.socket.events('message')).toEqual([]);
      expect(alice.socket.events('ack')).toEqual([]);
      expect(carol.socket.frames).toEqual([]);
      renew();
      room.leaseRenewed();
      expect(alice.socket.events('ack')).toEqual([{ clientMsgId: 'c1', seq: 1 }]);
      expect(bob.socket.events('message')).toEqual([expect.objectContaining({ seq: 1, text: 'hello' })]);
      expect(bob.socket.events('joined')).toEqual([{ user: { id: 'carol', name: 'CAROL' } }]);
      expect(carol.socket.events('welcome')).toHaveLength(1);
      // Typing while the lease was gone is not sent late.
      expect(bob.socket.events('typing')).toEqual([]);
    });

    it('drops what it held when it is closed (revoked) before a renewal', async () => {
      const { room, alice, bob, renew } = lapsedRoom();
      room.send(alice, 'hello', 'c1');
      await room.settled();
      room.close(4404, 'room moved to another server');
      renew();
      room.leaseRenewed();
      expect(bob.socket.events('message')).toEqual([]);
      expect(alice.socket.events('ack')).toEqual([]);
    });

    it('closes the room (1012) rather than hold frames without bound', () => {
      const { room, alice } = lapsedRoom();
      for (let i = 0; i <= MAX_WITHHELD_FRAMES; i++) room.reply(alice, Buffer.from('{}'));
      expect(room.isOpen).toBe(false);
      expect(alice.socket.closedWith).toBe(CloseCode.ServiceRestart);
    });
  });

  describe('lifecycle', () => {
    it('disposes itself ROOM_IDLE_MS after the last connection left, unless someone comes back', async () => {
      const room = makeRoom();
      const alice = member('alice');
      room.join(alice);
      room.leave(alice);
      clock.advance(29_999);
      room.join(alice);
      room.leave(alice);
      clock.advance(29_999);
      expect(room.isOpen).toBe(true);
      clock.advance(1);
      await room.closed;
      expect(closed).toEqual([room]);
      expect(clock.pendingTimers).toBe(0);
      expect(room.join(member('late'))).toBe('closed');
    });

    it('does not dispose while someone is connected', () => {
      const room = makeRoom();
      room.join(member('alice'));
      clock.advance(10 * 60_000);
      expect(room.isOpen).toBe(true);
      expect(clock.pendingTimers).toBe(0);
    });

    it('drains: stores and acks what was accepted, then closes everyone with 1012', async () => {
      const room = makeRoom();
      const alice = member('alice');
      room.join(alice);
      room.send(alice, 'last words', 'c');
      await room.drain();
      expect(alice.socket.events('ack')).toEqual([{ clientMsgId: 'c', seq: 1 }]);
      expect(alice.socket.closedWith).toBe(CloseCode.ServiceRestart);
      expect((await store.load('room-1', 10)).lastSeq).toBe(1);
      expect(closed).toEqual([room]);
    });

    it('closes a member that does not keep up (1013) and tells the others it left', async () => {
      const room = makeRoom();
      const alice = member('alice');
      const slow = member('slow');
      room.join(alice);
      room.join(slow);
      slow.socket.bufferedAmount = LIMITS.sendBufferLimitBytes + 1;
      room.send(alice, 'hi', 'c');
      await room.settled();
      expect(slow.socket.closedWith).toBe(SLOW_CONSUMER_CLOSE_CODE);
      expect(slow.socket.events('message')).toEqual([]);
      expect(alice.socket.events('left')).toEqual([{ user: { id: 'slow', name: 'SLOW' } }]);
      expect(room.connectionCount).toBe(1);
    });
  });

  describe('outbox', () => {
    it('holds the transport of every member it writes to (welcome, joined, message, ack) before writing', async () => {
      const order: string[] = [];
      const room = makeRoom(
        undefined,
        {},
        {
          outbox: { hold: (t) => order.push(`hold ${(t as unknown as { name: string } | undefined)?.name}`) },
        },
      );
      const withTransport = (userId: string) => {
        const m = member(userId);
        const send = m.socket.send.bind(m.socket);
        m.socket.send = (data, options) => {
          order.push(`send ${userId} ${JSON.parse(data.toString()).event}`);
          send(data, options);
        };
        return { ...m, transport: { name: userId, cork() {}, uncork() {}, writableCorked: 0, writableLength: 0 } };
      };
      const alice = withTransport('alice');
      const bob = withTransport('bob');
      const gone = withTransport('gone');
      room.join(alice);
      room.join(bob);
      room.join(gone);
      expect(order).toEqual([
        'hold alice',
        'send alice welcome',
        'hold bob',
        'send bob welcome',
        'hold alice',
        'send alice joined',
        'hold gone',
        'send gone welcome',
        'hold alice',
        'send alice joined',
        'hold bob',
        'send bob joined',
      ]);
      order.length = 0;
      gone.socket.readyState = 3; // closed, not yet left: gets nothing, so nothing is held for it
      room.send(alice, 'hi', 'h1');
      await room.settled();
      expect(order).toEqual(['hold alice', 'send alice message', 'hold bob', 'send bob message', 'hold alice', 'send alice ack']);
    });
  });

  describe('meter', () => {
    it('counts accepted messages once, their fan-out per member, and slow-consumer closes', async () => {
      const counts = { accepted: 0, delivered: 0, slow: 0 };
      const room = makeRoom(
        undefined,
        {},
        {
          meter: {
            messageAccepted: () => counts.accepted++,
            messagesDelivered: (n) => (counts.delivered += n),
            slowConsumerClosed: () => counts.slow++,
          },
        },
      );
      const [alice, bob, slow] = [member('alice'), member('bob'), member('slow')];
      for (const m of [alice, bob, slow]) room.join(m);
      room.send(alice, 'one', 'c1');
      room.send(alice, 'two', 'c2');
      room.send(bob, 'one again', 'c1'); // a repeated clientMsgId is no new message
      await room.settled();
      expect(counts).toEqual({ accepted: 2, delivered: 6, slow: 0 });

      slow.socket.bufferedAmount = LIMITS.sendBufferLimitBytes + 1;
      room.send(bob, 'three', 'c3');
      await room.settled();
      expect(counts).toEqual({ accepted: 3, delivered: 8, slow: 1 });
    });
  });

  describe('edits, deletions, reactions and rev (version 2)', () => {
    /** A room where alice sent seq 1 and 2 and bob seq 3; both joined, frames taken. */
    async function chat() {
      const room = makeRoom(undefined, { maxMembers: 10 });
      const alice = member('alice');
      const bob = member('bob');
      room.join(alice);
      room.join(bob);
      room.send(alice, 'one', 'a1');
      room.send(alice, 'two', 'a2');
      room.send(bob, 'three', 'b1');
      await room.settled();
      alice.socket.take();
      bob.socket.take();
      return { room, alice, bob };
    }
    const errors = (m: FakeMember) => m.socket.events('error').map((e: { code: string }) => e.code);
    const storedMsg = async (seq: number) => (await store.after('room-1', seq - 1, 1000))[0];

    it('gives every message the next rev, and every change the next one after it', async () => {
      const { room, alice, bob } = await chat();
      expect(room.rev).toBe(3);
      room.edit(alice, 1, 'one!');
      room.react(bob, 1, '👍', true);
      room.delete(alice, 2);
      room.send(bob, 'four', 'b2');
      await room.settled();
      expect(room.rev).toBe(7);
      expect(
        bob.socket
          .take()
          .filter((f) => f.event !== 'ack')
          .map((f) => [f.event, f.data.rev]),
      ).toEqual([
        ['edited', 4],
        ['reaction', 5],
        ['deleted', 6],
        ['message', 7],
      ]);
      expect((await store.load('room-1', 10)).rev).toBe(7);
    });

    it('lets only the sender edit: edited to everyone, stored before it is seen', async () => {
      const { room, alice, bob } = await chat();
      room.edit(bob, 1, 'not mine');
      expect(errors(bob)).toEqual(['forbidden']);
      clock.advance(500);
      room.edit(alice, 1, 'one, edited');
      expect(alice.socket.events('edited')).toEqual([]); // not stored yet
      await room.settled();
      const edited = { seq: 1, text: 'one, edited', editedAt: clock.now(), rev: 4 };
      expect(alice.socket.events('edited')).toEqual([edited]);
      expect(bob.socket.events('edited')).toEqual([edited]);
      expect(await storedMsg(1)).toMatchObject({ text: 'one, edited', editedAt: clock.now(), rev: 4 });
      expect((await room.history(2, 10)).messages[0]).toMatchObject({ text: 'one, edited', rev: 4 });
    });

    it('refuses edits of unknown, deleted and too old messages', async () => {
      const { room, alice } = await chat();
      room.edit(alice, 99, 'x');
      room.delete(alice, 1);
      await room.settled();
      room.edit(alice, 1, 'back from the dead');
      expect(errors(alice)).toEqual(['not_found', 'deleted']);
      expect(room.rev).toBe(4);
    });

    it('answers not_found for messages older than the room keeps', async () => {
      const room = await filledRoom(15); // ring of 10: seqs 6..15
      const alice = member('u0');
      room.join(alice);
      room.edit(alice, 5, 'too old');
      room.edit(alice, 6, 'kept');
      await room.settled();
      expect(errors(alice)).toEqual(['not_found']);
      expect(alice.socket.events('edited')).toHaveLength(1);
    });

    it('lets only the sender delete, idempotently: text "", deleted, reactions gone, seq kept', async () => {
      const { room, alice, bob } = await chat();
      room.react(bob, 2, '🎉', true);
      room.delete(bob, 2);
      expect(errors(bob)).toEqual(['forbidden']);
      room.delete(alice, 2);
      await room.settled();
      room.delete(alice, 2);
      await room.settled();
      expect(errors(alice)).toEqual([]);
      expect(bob.socket.events('deleted')).toEqual([{ seq: 2, rev: 5 }]);
      expect(room.rev).toBe(5);
      const stored2 = await storedMsg(2);
      expect(stored2).toEqual({ seq: 2, id: 'a2', userId: 'alice', name: 'ALICE', text: '', deleted: true, ts: stored2.ts, rev: 5 });
      room.react(bob, 2, '🎉', true);
      expect(errors(bob)).toEqual(['forbidden', 'deleted']);
    });

    it('sets and clears reactions idempotently, users in the order they reacted', async () => {
      const { room, alice, bob } = await chat();
      room.react(bob, 3, '👍', true);
      room.react(alice, 3, '👍', true);
      room.react(alice, 3, '👍', true); // again: nothing
      room.react(bob, 3, '👀', false); // never set: nothing
      await room.settled();
      expect(bob.socket.events('reaction')).toEqual([
        { seq: 3, emoji: '👍', userId: 'bob', on: true, rev: 4 },
        { seq: 3, emoji: '👍', userId: 'alice', on: true, rev: 5 },
      ]);
      expect((await storedMsg(3)).reactions).toEqual({ '👍': ['bob', 'alice'] });
      room.react(bob, 3, '👍', false);
      room.react(alice, 3, '👍', false);
      await room.settled();
      expect(room.rev).toBe(7);
      expect(await storedMsg(3)).not.toHaveProperty('reactions');
    });

    it('stores and fans out reactions named __proto__ and constructor as data, and clears them (issue 23)', async () => {
      const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
      const { room, alice, bob } = await chat();
      for (const emoji of ['__proto__', 'constructor', 'toString']) room.react(bob, 3, emoji, true);
      room.react(alice, 3, '__proto__', true);
      await room.settled();
      expect(alice.socket.events('reaction').map((r: { emoji: string; userId: string }) => [r.emoji, r.userId])).toEqual([
        ['__proto__', 'bob'],
        ['constructor', 'bob'],
        ['toString', 'bob'],
        ['__proto__', 'alice'],
      ]);
      const stored = (await storedMsg(3)).reactions!;
      expect(Object.keys(stored)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual(['bob', 'alice']);
      const newcomer = member('carol');
      room.join(newcomer);
      const welcomed = newcomer.socket.events('welcome')[0].messages.find((m: Message) => m.seq === 3);
      expect(JSON.stringify(welcomed.reactions)).toBe('{"__proto__":["bob","alice"],"constructor":["bob"],"toString":["bob"]}');
      room.react(bob, 3, '__proto__', false);
      room.react(alice, 3, '__proto__', false);
      room.react(bob, 3, 'constructor', false);
      room.react(bob, 3, 'toString', false);
      await room.settled();
      expect(await storedMsg(3)).not.toHaveProperty('reactions');
      expect(errors(alice).concat(errors(bob))).toEqual([]);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    });

    it('holds at most 20 distinct emoji per message', async () => {
      const { room, alice, bob } = await chat();
      for (let i = 0; i < 20; i++) room.react(alice, 1, `e${i}`, true);
      room.react(bob, 1, 'one-more', true);
      room.react(bob, 1, 'e0', true); // an emoji already there is fine
      await room.settled();
      expect(errors(bob)).toEqual(['limit']);
      expect(Object.keys((await storedMsg(1)).reactions ?? {})).toHaveLength(20);
      expect(room.rev).toBe(3 + 21);
    });

    it('broadcasts nothing and acks nothing when the store refuses a change under an older epoch', async () => {
      const { room, alice, bob } = await chat();
      await store.load('room-1', 10, 2); // placed elsewhere
      room.edit(alice, 1, 'zombie edit');
      await room.settled();
      expect(bob.socket.events('edited')).toEqual([]);
      expect(bob.socket.closedWith).toBe(CloseCode.RoomMoved);
    });

    describe('resume with since and rev', () => {
      it('carries, in changed, every message up to since changed after rev, current state, oldest first', async () => {
        const { room, alice, bob } = await chat();
        room.react(bob, 2, '👍', true); // rev 4
        room.edit(alice, 1, 'one, edited'); // rev 5
        room.send(bob, 'four', 'b2'); // rev 6, seq 4
        room.edit(alice, 1, 'one, again'); // rev 7
        await room.settled();
        const back = member('alice');
        room.join(back, 3, 4);
        const welcome = back.socket.events('welcome')[0];
        expect(welcome.rev).toBe(7);
        expect(welcome.messages.map((m: Message) => m.seq)).toEqual([4]);
        expect(welcome.changed).toEqual([expect.objectContaining({ seq: 1, text: 'one, again', rev: 7 })]);
        const older = member('carol');
        room.join(older, 3, 3);
        expect(older.socket.events('welcome')[0].changed.map((m: { seq: number; rev: number }) => [m.seq, m.rev])).toEqual([
          [1, 7],
          [2, 4],
        ]);
        const noRev = member('dave');
        room.join(noRev, 3);
        expect(noRev.socket.events('welcome')[0].changed).toEqual([]);
        const fresh = member('erin');
        room.join(fresh);
        expect(fresh.socket.events('welcome')[0].messages[0]).toMatchObject({ seq: 1, text: 'one, again', editedAt: expect.any(Number) });
      });

      it('continues the rev of the store, with changes, after a move', async () => {
        const { room, alice } = await chat();
        room.edit(alice, 2, 'two, edited');
        await room.settled();
        room.close(CloseCode.RoomMoved, 'moved');
        const next = makeRoom(await store.load('room-1', 10, 2), { maxMembers: 10 }, { epoch: 2 });
        expect(next.rev).toBe(4);
        const back = member('bob');
        next.join(back, 3, 3);
        expect(back.socket.events('welcome')[0]).toMatchObject({ rev: 4, changed: [{ seq: 2, text: 'two, edited', rev: 4 }] });
      });
    });

    describe('read markers', () => {
      it('keeps max(current, seq) per user, for every device, and stores it', async () => {
        const { room, alice, bob } = await chat();
        room.read(alice, 2);
        room.read(alice, 1); // lower: ignored
        const phone = member('alice');
        room.join(phone);
        expect(phone.socket.events('welcome')[0]).toMatchObject({
          readSeq: 2,
          reads: [
            { userId: 'alice', seq: 2 },
            { userId: 'bob', seq: 0 },
          ],
        });
        room.read(bob, 9);
        expect(errors(bob)).toEqual(['invalid']);
        await room.settled();
        expect((await store.load('room-1', 0)).reads).toEqual([{ userId: 'alice', seq: 2 }]);
        expect(room.rev).toBe(3); // markers are no revision
      });

      it('passes a marker on to the others at most once a second per user, with the newest value', async () => {
        const { room, alice, bob } = await chat();
        room.read(alice, 1);
        expect(bob.socket.events('read')).toEqual([{ userId: 'alice', seq: 1 }]);
        expect(alice.socket.events('read')).toEqual([]);
        clock.advance(200);
        room.read(alice, 2);
        room.read(alice, 3);
        expect(bob.socket.events('read')).toHaveLength(1);
        clock.advance(799);
        expect(bob.socket.events('read')).toHaveLength(1);
        clock.advance(1);
        expect(bob.socket.events('read')).toEqual([
          { userId: 'alice', seq: 1 },
          { userId: 'alice', seq: 3 },
        ]);
        room.read(bob, 3); // another user: its own second
        expect(alice.socket.events('read')).toEqual([{ userId: 'bob', seq: 3 }]);
      });

      it('clears its read timers when it closes', async () => {
        const { room, alice } = await chat();
        room.read(alice, 1);
        room.read(alice, 2);
        const timers = clock.pendingTimers;
        expect(timers).toBeGreaterThan(0);
        room.close(CloseCode.Normal, 'bye');
        expect(clock.pendingTimers).toBe(0);
      });

      it('drains even when storing markers fails, keeping them in the room meanwhile', async () => {
        const { room, alice, bob } = await chat();
        const failing = store as RoomStore & { saveReads: RoomStore['saveReads'] };
        failing.saveReads = () => Promise.reject(new Error('store down'));
        room.read(alice, 2);
        const phone = member('alice');
        room.join(phone);
        expect(phone.socket.events('welcome')[0].readSeq).toBe(2);
        await room.drain();
        expect(bob.socket.closedWith).toBe(CloseCode.ServiceRestart);
      });

      it('loads the markers of a moved room from the store', async () => {
        const { room, alice } = await chat();
        room.read(alice, 3);
        await room.drain();
        const next = makeRoom(await store.load('room-1', 10, 2), { maxMembers: 10 }, { epoch: 2 });
        const back = member('alice');
        next.join(back);
        expect(back.socket.events('welcome')[0].readSeq).toBe(3);
      });
    });

    it('names the room in welcome', () => {
      const alice = member('alice');
      makeRoom(undefined, {}, { name: 'Friday standup' }).join(alice);
      expect(alice.socket.events('welcome')[0].name).toBe('Friday standup');
    });
  });
});
