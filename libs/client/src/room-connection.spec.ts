import { CloseCode } from '@app/shared';
import type { ConnectionState } from './connection-state';
import { RoomConnection } from './room-connection';
import { FakeClock, FakeSessions, FakeTransport, flush, msg } from './testing/fake-transport';

function setup(randomValue = 0.5) {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const sessions = new FakeSessions();
  let ids = 0;
  const room = new RoomConnection({
    roomId: 'room-1',
    sessions,
    env: { clock, createWebSocket: transport.createWebSocket, random: () => randomValue, randomId: () => `cid-${++ids}` },
  });
  const states: ConnectionState[] = [];
  room.on('state', (s) => states.push(s));
  return { clock, transport, sessions, room, states };
}

/** Connects and welcomes; returns the first socket. */
async function live(t: ReturnType<typeof setup>, messages = [msg(1), msg(2), msg(3)]) {
  const welcomed = t.room.connect();
  await flush();
  t.transport.last.welcome({ messages });
  await welcomed;
  return t.transport.last;
}

describe('RoomConnection', () => {
  it('goes through the backend, connects with the session token and no since, and is live after the welcome', async () => {
    const t = setup();
    const welcomed = t.room.connect();
    expect(t.room.state).toEqual({ status: 'connecting' });
    await flush();
    expect(t.sessions.calls).toBe(1);
    const socket = t.transport.last;
    expect(socket.query.get('token')).toMatch(/^tok-/);
    expect(socket.query.has('since')).toBe(false);
    socket.welcome({ messages: [msg(1), msg(2)] });
    const welcome = await welcomed;
    expect(welcome.resumed).toBe(false);
    expect(t.room.state).toEqual({ status: 'live', serverId: 's1' });
    expect(t.room.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(t.room.lastSeq).toBe(2);
  });

  it('connect() while live resolves with the current welcome', async () => {
    const t = setup();
    await live(t);
    await expect(t.room.connect()).resolves.toMatchObject({ serverId: 's1', resumed: false });
    expect(t.sessions.calls).toBe(1);
  });

  it('settles the send promise with its ack', async () => {
    const t = setup();
    const socket = await live(t);
    const sent = t.room.send('hello');
    expect(socket.sentOf('send')).toEqual([{ text: 'hello', clientMsgId: 'cid-1' }]);
    expect(t.room.pendingSends).toEqual([{ clientMsgId: 'cid-1', text: 'hello' }]);
    socket.ack({ clientMsgId: 'cid-1', seq: 4 });
    await expect(sent).resolves.toEqual({ clientMsgId: 'cid-1', seq: 4 });
    expect(t.room.pendingSends).toEqual([]);
  });

  it('keeps an acked message in `outgoing` (with its seq) until its `message` arrives, so a UI does not blink', async () => {
    const t = setup();
    const socket = await live(t);
    void t.room.send('quick');
    expect(t.room.outgoing).toEqual([{ clientMsgId: 'cid-1', text: 'quick', createdAt: t.clock.now() }]);
    socket.ack({ clientMsgId: 'cid-1', seq: 4 });
    await flush();
    expect(t.room.pendingSends).toEqual([]);
    expect(t.room.outgoing).toEqual([expect.objectContaining({ clientMsgId: 'cid-1', seq: 4 })]);
    socket.receive('message', msg(4, { id: 'cid-1', userId: 'u_me', text: 'quick' }));
    expect(t.room.outgoing).toEqual([]);
    expect(t.room.messages.at(-1)).toMatchObject({ seq: 4, text: 'quick' });
  });

  it('drops an acked message from `outgoing` when a resume starts after it (history reaches it)', async () => {
    const t = setup();
    const first = await live(t);
    void t.room.send('lost');
    first.ack({ clientMsgId: 'cid-1', seq: 4 });
    first.serverClose(1006);
    t.clock.advance(10_000);
    await flush();
    t.transport.last.welcome({ messages: [msg(900)], lastSeq: 900 });
    expect(t.room.outgoing).toEqual([]);
  });

  it('read() raises readSeq at once and sends only a higher marker', async () => {
    const t = setup();
    const socket = await live(t);
    socket.welcome({ messages: [msg(1), msg(2), msg(3)], readSeq: 1 });
    expect(t.room.readSeq).toBe(1);
    expect(t.room.read(3)).toBe(true);
    expect(t.room.readSeq).toBe(3);
    expect(t.room.read(2)).toBe(false);
    expect(t.room.read(3)).toBe(false);
    expect(socket.sentOf('read')).toEqual([{ seq: 3 }]);
  });

  it('refuses a text that breaks the rules before sending it', async () => {
    const t = setup();
    const socket = await live(t);
    await expect(t.room.send('   ')).rejects.toMatchObject({ code: 'invalid' });
    await expect(t.room.send('x'.repeat(4001))).rejects.toMatchObject({ code: 'too_long' });
    expect(socket.sentOf('send')).toEqual([]);
  });

  it('refuses a clientMsgId already waiting, and a frame larger than maxFrameBytes (a 1009 would repeat forever)', async () => {
    const t = setup();
    const socket = await live(t);
    void t.room.send('a', { clientMsgId: 'same' });
    await expect(t.room.send('b', { clientMsgId: 'same' })).rejects.toMatchObject({ code: 'invalid' });
    socket.welcome({ limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 1000 } });
    await expect(t.room.send('€'.repeat(400))).rejects.toMatchObject({ code: 'too_long' });
    expect(socket.sentOf('send').map((d) => d.text)).toEqual(['a', 'a']);
  });

  it('takes the HTTP status from any error of the session source (a host may bring its own API client)', async () => {
    const t = setup();
    jest.spyOn(t.sessions, 'roomSession').mockRejectedValueOnce(Object.assign(new Error('gone'), { status: 404 }));
    await expect(t.room.connect()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('retryNow() skips the back-off wait, once: a second call while the backend answers opens no second socket', async () => {
    const t = setup(1);
    const first = await live(t);
    first.serverClose(1006);
    expect(t.room.state).toMatchObject({ status: 'reconnecting', delayMs: 500 });
    t.room.retryNow();
    t.room.retryNow();
    await flush();
    expect(t.sessions.calls).toBe(2);
    expect(t.transport.sockets).toHaveLength(2);
    t.clock.advance(10_000);
    await flush();
    expect(t.sessions.calls).toBe(2);
  });

  it('rejects the send the server refused when it is the only one in flight', async () => {
    const t = setup();
    const socket = await live(t);
    const sent = t.room.send('hello');
    socket.receive('error', { code: 'invalid', message: 'clientMsgId must be at most 64 characters' });
    await expect(sent).rejects.toMatchObject({ code: 'invalid' });
  });

  it('resumes with since=<last seq seen> through a new get-or-start, and sends unacked messages again with the same clientMsgId', async () => {
    const t = setup();
    const first = await live(t);
    const a = t.room.send('one');
    const b = t.room.send('two');
    first.receive('message', msg(4, { id: 'cid-1', userId: 'u_me' }));
    await expect(a).resolves.toEqual({ clientMsgId: 'cid-1', seq: 4 });
    first.serverClose(1006);
    expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 1 });
    t.clock.advance(10_000);
    await flush();
    expect(t.sessions.calls).toBe(2);
    const second = t.transport.last;
    expect(second).not.toBe(first);
    expect(second.query.get('since')).toBe('4');
    expect(second.query.has('rev')).toBe(false);
    second.welcome({ messages: [msg(5)], lastSeq: 5 });
    expect(second.sentOf('send')).toEqual([{ text: 'two', clientMsgId: 'cid-2' }]);
    second.ack({ clientMsgId: 'cid-2', seq: 6 });
    await expect(b).resolves.toEqual({ clientMsgId: 'cid-2', seq: 6 });
  });

  it('counts a pending message that comes back in the resume welcome as acknowledged, and does not send it again', async () => {
    const t = setup();
    const first = await live(t);
    const sent = t.room.send('one');
    first.serverClose(1006);
    t.clock.advance(10_000);
    await flush();
    t.transport.last.welcome({ messages: [msg(4, { id: 'cid-1', userId: 'u_me' })] });
    await expect(sent).resolves.toEqual({ clientMsgId: 'cid-1', seq: 4 });
    expect(t.transport.last.sentOf('send')).toEqual([]);
  });

  it('sends messages queued while down after the welcome, in order', async () => {
    const t = setup();
    const first = await live(t);
    first.serverClose(1006);
    void t.room.send('a');
    void t.room.send('b');
    t.clock.advance(10_000);
    await flush();
    t.transport.last.welcome({ messages: [], lastSeq: 3 });
    expect(t.transport.last.sentOf('send').map((d) => d.text)).toEqual(['a', 'b']);
  });

  it('adds the resume `rev` when the welcome carried one, and applies `changed`', async () => {
    const t = setup();
    const changed: number[] = [];
    t.room.on('messageChanged', (m) => changed.push(m.seq));
    const welcomed = t.room.connect();
    await flush();
    t.transport.last.welcome({ messages: [msg(1, { rev: 1 }), msg(2, { rev: 2 })], lastSeq: 2, rev: 7 });
    await welcomed;
    t.transport.last.receive('edited', { seq: 1, text: 'fixed', editedAt: 5, rev: 8 });
    expect(t.room.messages[0]).toMatchObject({ text: 'fixed', editedAt: 5, rev: 8 });
    t.transport.last.serverClose(1006);
    t.clock.advance(10_000);
    await flush();
    expect(t.transport.last.query.get('since')).toBe('2');
    expect(t.transport.last.query.get('rev')).toBe('8');
    t.transport.last.welcome({ messages: [], lastSeq: 2, rev: 9, changed: [{ ...msg(2, { rev: 9 }), text: '', deleted: true }] });
    expect(t.room.messages[1]).toMatchObject({ seq: 2, deleted: true, text: '' });
    expect(changed).toEqual([1, 2]);
  });

  it('shows every seq once across a resume that overlaps what it held, and a live duplicate', async () => {
    const t = setup();
    const seen: number[] = [];
    t.room.on('message', (m) => seen.push(m.seq));
    const first = await live(t);
    first.receive('message', msg(4));
    first.receive('message', msg(4));
    first.serverClose(1006);
    t.clock.advance(10_000);
    await flush();
    t.transport.last.welcome({ messages: [msg(3), msg(4), msg(5)], lastSeq: 5 });
    t.transport.last.receive('message', msg(5));
    t.transport.last.receive('message', msg(6));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.room.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  describe('back-off', () => {
    it('grows exponentially from 0.5 s to a cap of 10 s, half fixed and half random', async () => {
      for (const [random, expected] of [
        [0, [250, 500, 1000, 2000, 4000, 5000, 5000]],
        [1, [500, 1000, 2000, 4000, 8000, 10000, 10000]],
        [0.5, [375, 750, 1500, 3000, 6000, 7500, 7500]],
      ] as const) {
        const t = setup(random);
        const first = await live(t);
        first.serverClose(1006);
        const delays: number[] = [];
        for (let i = 0; i < expected.length; i++) {
          const s = t.room.state;
          if (s.status !== 'reconnecting') throw new Error(`state ${s.status}`);
          expect(s.attempt).toBe(i + 1);
          delays.push(s.delayMs);
          expect(t.clock.pendingDelays()).toContain(s.delayMs);
          t.clock.advance(s.delayMs - 1);
          await flush();
          expect(t.sessions.calls).toBe(1 + i);
          t.clock.advance(1);
          await flush();
          expect(t.sessions.calls).toBe(2 + i);
          t.transport.last.serverClose(1006);
        }
        expect(delays).toEqual(expected);
        t.room.close();
      }
    });

    it('backs off when get-or-start fails with 503, and starts over after a welcome', async () => {
      const t = setup(0);
      const first = await live(t);
      t.sessions.fail(503);
      first.serverClose(1006);
      t.clock.advance(250);
      await flush();
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 2, delayMs: 500 });
      t.clock.advance(500);
      await flush();
      t.transport.last.welcome({ lastSeq: 3 });
      expect(t.room.state.status).toBe('live');
      t.transport.last.serverClose(1006);
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 1, delayMs: 250 });
    });

    it('honours Retry-After on a 429 from the backend', async () => {
      const t = setup(0);
      const first = await live(t);
      t.sessions.fail(429, 3000);
      first.serverClose(1006);
      t.clock.advance(250);
      await flush();
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 2, delayMs: 3000 });
    });

    it('backs off after 4429 (too many frames) instead of coming straight back', async () => {
      const t = setup(0);
      const first = await live(t);
      first.serverClose(CloseCode.RateLimited, 'too many frames');
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 1, delayMs: 250 });
      await flush();
      expect(t.sessions.calls).toBe(1);
      t.clock.advance(250);
      await flush();
      expect(t.sessions.calls).toBe(2);
    });
  });

  describe('re-route without delay', () => {
    it.each([
      [CloseCode.ServiceRestart, 'server draining'],
      [CloseCode.RoomMoved, 'room moved to another server'],
    ])('on close %i asks the backend at once and resumes, showing `moved`', async (code, reason) => {
      const t = setup();
      const first = await live(t);
      first.serverClose(code, reason);
      expect(t.room.state).toEqual({ status: 'moved' });
      await flush();
      expect(t.sessions.calls).toBe(2);
      // No back-off wait: the only short timer is the move's grace before "reconnecting" would show.
      expect(t.clock.pendingDelays().filter((d) => d < 10_000)).toEqual([1000]);
      expect(t.transport.last.query.get('since')).toBe('3');
      t.transport.last.welcome({ serverId: 's2', lastSeq: 3 });
      expect(t.states.map((s) => s.status)).not.toContain('reconnecting');
      expect(t.room.state).toEqual({ status: 'live', serverId: 's2' });
    });

    it('on a `moved` event closes the socket itself and asks the backend at once, without waiting for the 1012', async () => {
      const t = setup();
      const first = await live(t);
      const moved = jest.fn();
      t.room.on('moved', moved);
      first.receive('moved', {});
      expect(moved).toHaveBeenCalled();
      expect(t.room.state).toEqual({ status: 'moved' });
      expect(first.closedWith?.code).toBe(1000);
      await flush();
      expect(t.sessions.calls).toBe(2);
      expect(t.transport.sockets).toHaveLength(2);
      expect(t.transport.last.query.get('since')).toBe('3');
      first.serverClose(CloseCode.ServiceRestart, 'server draining');
      t.transport.last.welcome({ serverId: 's2', lastSeq: 3 });
      expect(t.room.state).toEqual({ status: 'live', serverId: 's2' });
      expect(t.transport.sockets).toHaveLength(2);
    });

    it('shows `moved` for a move that completes within moveGraceMs, and `reconnecting` (attempt 1) only after it', async () => {
      const t = setup();
      const first = await live(t);
      first.receive('moved', {});
      await flush();
      t.clock.advance(999);
      expect(t.room.state).toEqual({ status: 'moved' });
      t.clock.advance(1);
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 1 });
      // The re-route already under way goes on: no second get-or-start, and its welcome makes it live.
      expect(t.sessions.calls).toBe(2);
      t.transport.last.welcome({ serverId: 's2', lastSeq: 3 });
      expect(t.room.state).toEqual({ status: 'live', serverId: 's2' });

      t.transport.last.receive('moved', {});
      await flush();
      t.transport.last.welcome({ serverId: 's3', lastSeq: 3 });
      t.clock.advance(5000);
      expect(t.room.state).toEqual({ status: 'live', serverId: 's3' });
    });

    it('falls back to back-off when the immediate re-route fails', async () => {
      const t = setup(0);
      const first = await live(t);
      t.sessions.fail(503);
      first.serverClose(CloseCode.RoomMoved);
      await flush();
      expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 2, delayMs: 500 });
    });
  });

  it('on 4401 gets a new session at once', async () => {
    const t = setup();
    const first = await live(t);
    first.serverClose(CloseCode.Unauthorized, 'unauthorized');
    await flush();
    expect(t.sessions.calls).toBe(2);
    expect(t.transport.sockets).toHaveLength(2);
    expect(t.transport.last.query.get('token')).not.toBe(first.query.get('token'));
  });

  it('on 4413 ends in `full` without retrying, and rejects waiting sends', async () => {
    const t = setup();
    const connected = t.room.connect();
    await flush();
    const sent = t.room.send('hi');
    t.transport.last.open();
    t.transport.last.serverClose(CloseCode.RoomFull, 'room full');
    await expect(connected).rejects.toMatchObject({ code: 'full' });
    await expect(sent).rejects.toMatchObject({ code: 'full' });
    expect(t.room.state).toEqual({ status: 'full' });
    t.clock.advance(60_000);
    await flush();
    expect(t.sessions.calls).toBe(1);
  });

  it('ends in `not_found` on 404 from the backend, and `closed` (unauthorized) on 401', async () => {
    const a = setup();
    a.sessions.fail(404);
    await expect(a.room.connect()).rejects.toMatchObject({ code: 'not_found' });
    expect(a.room.state).toEqual({ status: 'not_found' });
    const b = setup();
    b.sessions.fail(401);
    await expect(b.room.connect()).rejects.toMatchObject({ code: 'closed' });
    expect(b.room.state).toEqual({ status: 'closed', reason: 'unauthorized' });
  });

  it('ends in `full` on 409 from a version-2 backend', async () => {
    const t = setup();
    t.sessions.fail(409);
    await expect(t.room.connect()).rejects.toMatchObject({ code: 'full' });
    expect(t.room.state).toEqual({ status: 'full' });
  });

  it('reports a gap when a resume carries fewer messages than were missed, and offers history', async () => {
    const t = setup();
    const gaps = jest.fn();
    t.room.on('gap', gaps);
    const first = await live(t, [msg(1), msg(2), msg(3)]);
    first.serverClose(1006);
    t.clock.advance(10_000);
    await flush();
    t.transport.last.welcome({ messages: [msg(1500), msg(1501)], lastSeq: 1501 });
    expect(gaps).toHaveBeenCalledWith({ afterSeq: 3, nextSeq: 1500 });
    expect(t.room.hasMoreHistory).toBe(true);
    expect(t.room.lastSeq).toBe(1501);
  });

  it('gives up on a socket that sends no welcome in time and tries again through the backend', async () => {
    const t = setup(0);
    void t.room.connect();
    await flush();
    const silent = t.transport.last;
    silent.open();
    t.clock.advance(10_000);
    expect(silent.closedWith).not.toBeNull();
    expect(t.room.state).toMatchObject({ status: 'reconnecting', attempt: 1 });
  });

  it('sends unacked messages again after `rate_limited`', async () => {
    const t = setup();
    const socket = await live(t);
    void t.room.send('a');
    void t.room.send('b');
    socket.receive('error', { code: 'rate_limited', message: 'slow down' });
    t.clock.advance(1500);
    expect(socket.sentOf('send').map((d) => d.clientMsgId)).toEqual(['cid-1', 'cid-2', 'cid-1', 'cid-2']);
  });

  it('pages history and adds older messages to what it holds', async () => {
    const t = setup();
    const socket = await live(t, [msg(51), msg(52)]);
    expect(t.room.hasMoreHistory).toBe(true);
    const page = t.room.history({ limit: 50 });
    expect(socket.sentOf('history')).toEqual([{ before: 51, limit: 50 }]);
    socket.receive('history', { messages: [msg(49), msg(50)], hasMore: false });
    await expect(page).resolves.toMatchObject({ hasMore: false });
    expect(t.room.messages.map((m) => m.seq)).toEqual([49, 50, 51, 52]);
    expect(t.room.hasMoreHistory).toBe(false);
  });

  it('keeps members, typing and v2 events', async () => {
    const t = setup();
    const socket = await live(t);
    const reactions = jest.fn();
    t.room.on('reaction', reactions);
    socket.receive('joined', { user: { id: 'u_b', name: 'Bea' } });
    socket.receive('typing', { user: { id: 'u_b', name: 'Bea' } });
    expect(t.room.members.map((m) => m.name)).toEqual(['Me', 'Bea']);
    expect(t.room.typingUsers.map((u) => u.name)).toEqual(['Bea']);
    t.clock.advance(4000);
    expect(t.room.typingUsers).toEqual([]);
    socket.receive('reaction', { seq: 2, emoji: '👍', userId: 'u_b', on: true, rev: 3 });
    expect(reactions).toHaveBeenCalledWith({ seq: 2, emoji: '👍', userId: 'u_b', on: true, rev: 3 });
    expect(t.room.messages[1].reactions).toEqual({ '👍': ['u_b'] });
    socket.receive('read', { userId: 'u_b', seq: 3 });
    expect(t.room.reads.get('u_b')).toBe(3);
    socket.receive('left', { user: { id: 'u_b', name: 'Bea' } });
    expect(t.room.members.map((m) => m.name)).toEqual(['Me']);
    expect(t.room.react(2, '🎉')).toBe(true);
    expect(socket.sentOf('react')).toEqual([{ seq: 2, emoji: '🎉', on: true }]);
  });

  describe('names from the wire that are also names of Object.prototype', () => {
    const awkward = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

    it.each(awkward)('holds a reaction %j like any other, on and off, without touching Object.prototype', async (emoji) => {
      const t = setup();
      const socket = await live(t);
      const changed = jest.fn();
      t.room.on('messageChanged', changed);
      socket.receive('reaction', { seq: 2, emoji, userId: 'u_b', on: true, rev: 4 });
      socket.receive('reaction', { seq: 2, emoji, userId: 'u_c', on: true, rev: 5 });
      socket.receive('reaction', { seq: 2, emoji: '👍', userId: 'u_b', on: true, rev: 6 });
      const held = t.room.messages[1].reactions!;
      expect(Object.keys(held)).toEqual([emoji, '👍']);
      expect(held[emoji]).toEqual(['u_b', 'u_c']);
      expect(Object.getPrototypeOf(held)).toBeNull();
      socket.receive('reaction', { seq: 2, emoji, userId: 'u_b', on: false, rev: 7 });
      socket.receive('reaction', { seq: 2, emoji, userId: 'u_c', on: false, rev: 8 });
      expect(Object.keys(t.room.messages[1].reactions!)).toEqual(['👍']);
      expect(changed).toHaveBeenCalledTimes(5);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    });

    it('reads reactions named like prototype members from welcome, message, history and changed as plain data', async () => {
      const t = setup();
      const reactions = JSON.parse('{"__proto__":["u_b"],"constructor":["u_c"]}') as Record<string, string[]>;
      const socket = await live(t, [msg(1, { reactions, rev: 1 })]);
      socket.receive('message', msg(2, { reactions, rev: 2 }));
      for (const m of t.room.messages) {
        expect(Object.getPrototypeOf(m.reactions)).toBeNull();
        expect(Object.keys(m.reactions!)).toEqual(['__proto__', 'constructor']);
      }
      // A reaction that is not held yet is read as none, not as Object.prototype's member.
      socket.receive('reaction', { seq: 1, emoji: 'toString', userId: 'u_d', on: true, rev: 3 });
      socket.receive('reaction', { seq: 1, emoji: '__proto__', userId: 'u_b', on: false, rev: 4 });
      expect(t.room.messages[0].reactions).toEqual(Object.assign(Object.create(null), { constructor: ['u_c'], toString: ['u_d'] }));
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
      'ignores an unknown event named %j, as any unknown event',
      async (event) => {
        const t = setup();
        const socket = await live(t);
        const change = jest.fn();
        t.room.on('change', change);
        expect(() => socket.receive(event, { seq: 1 })).not.toThrow();
        expect(change).not.toHaveBeenCalled();
        expect(t.room.state.status).toBe('live');
      },
    );

    it('keeps members, read markers, typing and sends keyed by such ids apart', async () => {
      const t = setup();
      const socket = await live(t);
      for (const id of ['__proto__', 'constructor']) {
        socket.receive('joined', { user: { id, name: id } });
        socket.receive('read', { userId: id, seq: 2 });
        socket.receive('typing', { user: { id, name: id } });
      }
      expect(t.room.members.map((m) => m.id)).toEqual(['u_me', '__proto__', 'constructor']);
      expect([...t.room.reads]).toEqual([
        ['__proto__', 2],
        ['constructor', 2],
      ]);
      expect(t.room.typingUsers.map((u) => u.id)).toEqual(['__proto__', 'constructor']);
      const sent = t.room.send('hi', { clientMsgId: '__proto__' });
      socket.ack({ clientMsgId: '__proto__', seq: 4 });
      await expect(sent).resolves.toEqual({ clientMsgId: '__proto__', seq: 4 });
    });
  });

  it('close() ends it: the socket closes, waiting sends are rejected, nothing reconnects', async () => {
    const t = setup();
    const socket = await live(t);
    const sent = t.room.send('x');
    t.room.close();
    await expect(sent).rejects.toMatchObject({ code: 'closed' });
    expect(socket.closedWith?.code).toBe(1000);
    t.clock.advance(60_000);
    await flush();
    expect(t.sessions.calls).toBe(1);
    expect(t.room.state).toEqual({ status: 'closed', reason: 'closed by the client' });
  });
});
