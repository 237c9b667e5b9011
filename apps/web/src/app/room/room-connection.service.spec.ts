import { TestBed } from '@angular/core/testing';
import { backoffDelay } from '@app/client';
import { TOO_MANY_SOCKETS_REASON, type Message, type RoomSessionResponse, type WelcomePayload } from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { CLOCK } from '../core/clock';
import { WEBSOCKET_FACTORY } from '../core/websocket-factory';
import { FakeClock } from '../testing/fake-clock';
import { FakeTransport, type FakeSocket } from '@app/client/testing/fake-transport';
import { flushAsync } from '../testing/flush-async';
import { RoomConnection } from './room-connection.service';

// The SDK's defaults, as this app uses them: the behaviours below are the app's, through the adapter.
const MOVE_GRACE_MS = 1000;
const TYPING_SHOW_MS = 4000;
const TYPING_THROTTLE_MS = 2500;
const WELCOME_TIMEOUT_MS = 10_000;

const ME = { id: 'u-me', name: 'Me' };
const BOB = { id: 'u-bob', name: 'Bob' };
const LIMITS = { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 };

function msg(seq: number, user = BOB, id = `c${seq}`): Message {
  return { seq, id, userId: user.id, name: user.name, text: `text ${seq}`, ts: 1_700_000_000_000 + seq };
}

function welcome(partial: Partial<WelcomePayload> = {}): WelcomePayload {
  const messages = partial.messages ?? [];
  return {
    roomId: 'room-1',
    serverId: 's1',
    you: ME,
    members: [ME, BOB],
    messages,
    lastSeq: messages.at(-1)?.seq ?? 0,
    limits: LIMITS,
    epoch: 1,
    ...partial,
  };
}

/**
 * The signals adapter over the SDK's RoomConnection (libs/client/src/room-connection.spec.ts tests the
 * protocol in depth): what the room page reads, driven through a fake socket and clock.
 */
describe('RoomConnection (signals adapter over the SDK)', () => {
  let clock: FakeClock;
  let sockets: FakeTransport;
  let roomSession: jest.Mock<Promise<RoomSessionResponse>, [string]>;
  let connection: RoomConnection;
  let servers: string[];

  beforeEach(() => {
    clock = new FakeClock();
    sockets = new FakeTransport();
    servers = ['ws://127.0.0.1:8001/', 'ws://127.0.0.1:8002/'];
    let calls = 0;
    roomSession = jest.fn(async (roomId: string) => {
      const url = servers[Math.min(calls, servers.length - 1)];
      calls++;
      return { roomId, name: null, url, token: `tok${calls}`, serverId: `s${calls}`, epoch: calls, kind: 'chat' as const };
    });
    TestBed.configureTestingModule({
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: WEBSOCKET_FACTORY, useValue: sockets.createWebSocket },
        { provide: ApiClient, useValue: { roomSession } },
      ],
    });
    connection = TestBed.inject(RoomConnection);
  });

  afterEach(() => connection.leave());

  async function connectLive(payload = welcome()): Promise<FakeSocket> {
    connection.connect('room-1');
    await flushAsync();
    const socket = sockets.last;
    socket.open();
    socket.receive('welcome', payload);
    return socket;
  }

  /** Drops the socket and lets the reconnect happen, returning the new (not yet welcomed) socket. */
  async function loseAndReconnect(socket: FakeSocket, code = 1006): Promise<FakeSocket> {
    socket.serverClose(code);
    clock.advance(60_000);
    await flushAsync();
    const next = sockets.last;
    expect(next).not.toBe(socket);
    next.open();
    return next;
  }

  it('asks the backend where the room lives and shows the welcome', async () => {
    expect(connection.status()).toBe('idle');
    connection.connect('room-1');
    expect(connection.status()).toBe('connecting');
    await flushAsync();

    expect(roomSession).toHaveBeenCalledWith('room-1');
    const socket = sockets.last;
    expect(socket.url.startsWith('ws://127.0.0.1:8001/')).toBe(true);
    expect(socket.query.get('token')).toBe('tok1');
    expect(socket.query.has('since')).toBe(false);

    socket.open();
    socket.receive('welcome', welcome({ messages: [msg(1), msg(2)] }));
    expect(connection.status()).toBe('live');
    expect(connection.messages().map((m) => m.seq)).toEqual([1, 2]);
    expect(connection.members()).toEqual([ME, BOB]);
    expect(connection.me()).toEqual(ME);
    expect(connection.serverId()).toBe('s1');
    expect(connection.hasMoreHistory()).toBe(false);

    socket.receive('message', msg(3));
    expect(connection.messages().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('shows a sent message as pending until the room acknowledges it', async () => {
    const socket = await connectLive();
    connection.send('hello');
    expect(connection.pending()).toHaveLength(1);
    expect(connection.pending()[0]).toMatchObject({ text: 'hello', createdAt: clock.now() });
    const [sent] = socket.sentOf('send');
    expect(sent.text).toBe('hello');
    expect(sent.clientMsgId).toBe(connection.pending()[0].clientMsgId);

    socket.receive('message', { seq: 1, id: sent.clientMsgId, userId: ME.id, name: ME.name, text: 'hello', ts: 1 });
    socket.receive('ack', { clientMsgId: sent.clientMsgId, seq: 1 });
    expect(connection.pending()).toEqual([]);
    expect(connection.messages().map((m) => m.id)).toEqual([sent.clientMsgId]);
  });

  it('clears a pending message on an ack that comes before its message', async () => {
    const socket = await connectLive();
    connection.send('quick');
    const [sent] = socket.sentOf('send');
    socket.receive('ack', { clientMsgId: sent.clientMsgId, seq: 1 });
    // Acked but not shown yet: it stays visible (marked acked) instead of blinking away.
    expect(connection.pending()).toEqual([expect.objectContaining({ clientMsgId: sent.clientMsgId, seq: 1 })]);
    socket.receive('message', { seq: 1, id: sent.clientMsgId, userId: ME.id, name: ME.name, text: 'quick', ts: 1 });
    expect(connection.pending()).toEqual([]);
  });

  it('refuses empty and over-long texts without sending, and says why', async () => {
    const socket = await connectLive(welcome({ limits: { ...LIMITS, maxMessageLength: 5 } }));
    connection.send('   ');
    await flushAsync();
    expect(connection.notice()).toMatch(/empty/);
    connection.send('123456');
    await flushAsync();
    expect(connection.notice()).toMatch(/at most 5/);
    expect(socket.sentOf('send')).toEqual([]);
    expect(connection.pending()).toEqual([]);
  });

  it('after losing the socket asks the backend again and resumes with since=<last seq seen>', async () => {
    const first = await connectLive(welcome({ messages: [msg(1), msg(2)] }));
    first.receive('message', msg(3));

    first.serverClose(1006);
    expect(connection.status()).toBe('reconnecting');
    expect(connection.attempt()).toBe(1);
    expect(roomSession).toHaveBeenCalledTimes(1);

    clock.advance(60_000);
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(2);
    const second = sockets.last;
    expect(second.url.startsWith('ws://127.0.0.1:8002/')).toBe(true);
    expect(second.query.get('since')).toBe('3');
    expect(second.query.get('token')).toBe('tok2');

    second.open();
    second.receive('welcome', welcome({ serverId: 's2', messages: [msg(4)], lastSeq: 4 }));
    expect(connection.status()).toBe('live');
    expect(connection.attempt()).toBe(0);
    expect(connection.serverId()).toBe('s2');
    expect(connection.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('re-sends unacknowledged messages with the same clientMsgId after a reconnect', async () => {
    const first = await connectLive();
    connection.send('one');
    connection.send('two');
    const [one, two] = first.sentOf('send');
    // "one" made it into the room before the crash, "two" did not.
    first.receive('message', { seq: 1, id: one.clientMsgId, userId: ME.id, name: ME.name, text: 'one', ts: 1 });

    const second = await loseAndReconnect(first);
    expect(second.query.get('since')).toBe('1');
    // While away, a third message is queued: it waits for the welcome.
    connection.send('three');
    expect(second.sentOf('send')).toEqual([]);

    second.receive('welcome', welcome({ messages: [], lastSeq: 1 }));
    const resent = second.sentOf('send');
    expect(resent.map((s) => s.text)).toEqual(['two', 'three']);
    expect(resent[0].clientMsgId).toBe(two.clientMsgId);
    expect(connection.pending().map((p) => p.text)).toEqual(['two', 'three']);
  });

  it('does not re-send a message the resumed welcome already contains', async () => {
    const first = await connectLive();
    connection.send('lost ack');
    const [sent] = first.sentOf('send');

    const second = await loseAndReconnect(first);
    second.receive('welcome', welcome({ messages: [{ seq: 1, id: sent.clientMsgId, userId: ME.id, name: ME.name, text: 'lost ack', ts: 1 }] }));
    expect(second.sentOf('send')).toEqual([]);
    expect(connection.pending()).toEqual([]);
    expect(connection.messages()).toHaveLength(1);
  });

  it('shows every seq once when a resume, history and live messages overlap', async () => {
    const first = await connectLive(welcome({ messages: [msg(5), msg(6)], lastSeq: 6 }));
    expect(connection.hasMoreHistory()).toBe(true);
    first.receive('message', msg(7));
    first.receive('message', msg(7));

    const second = await loseAndReconnect(first);
    // A server may resend what the client already has: merged by seq, nothing twice.
    second.receive('welcome', welcome({ messages: [msg(6), msg(7), msg(8)], lastSeq: 8 }));
    second.receive('message', msg(8));

    connection.loadOlder();
    expect(second.sentOf('history')).toEqual([{ before: 5, limit: 50 }]);
    expect(connection.loadingHistory()).toBe(true);
    second.receive('history', { messages: [msg(3), msg(4), msg(5)], hasMore: true });
    await flushAsync();

    expect(connection.messages().map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(connection.loadingHistory()).toBe(false);
    expect(connection.hasMoreHistory()).toBe(true);
  });

  it('backs off exponentially with jitter while the room cannot be reached', async () => {
    roomSession.mockRejectedValue(new ApiError(503, 'no capacity'));
    connection.connect('room-1');
    await flushAsync();

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(connection.status()).toBe('reconnecting');
      expect(connection.attempt()).toBe(attempt);
      const delay = (connection.nextRetryAt() ?? 0) - clock.now();
      delays.push(delay);
      clock.advance(delay - 1);
      await flushAsync();
      expect(roomSession).toHaveBeenCalledTimes(attempt); // not before the delay is over
      clock.advance(1);
      await flushAsync();
    }
    expect(delays).toEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 0.5)));
    for (let i = 1; i < 5; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
    expect(connection.notice()).toBe('no capacity');
  });

  it('follows a drain (1012) at once without showing "reconnecting", then backs off if the new server fails too', async () => {
    const first = await connectLive();
    first.serverClose(1012);
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(2);
    expect(connection.status()).toBe('live');
    const second = sockets.last;
    second.open();
    second.serverClose(1006);
    expect(connection.status()).toBe('reconnecting');
    expect(connection.nextRetryAt()).toBeGreaterThan(clock.now());
  });

  it('on `moved` asks the backend again at once and resumes with since, showing no "reconnecting" for a fast move', async () => {
    const first = await connectLive(welcome({ messages: [msg(1), msg(2)] }));
    connection.send('during the move');
    first.receive('moved', {});
    // It goes at once: the old socket is closed by the client, without waiting for the server's 1012.
    expect(first.closedWith).not.toBeNull();
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(2);
    const second = sockets.last;
    expect(second.query.get('since')).toBe('2');
    expect(connection.status()).toBe('live');
    clock.advance(500);
    expect(connection.status()).toBe('live');
    second.open();
    second.receive('welcome', welcome({ serverId: 's2', messages: [], lastSeq: 2 }));
    expect(connection.serverId()).toBe('s2');
    // The pending message goes to the new server.
    expect(second.sentOf('send').map((d) => d.text)).toEqual(['during the move']);
    clock.advance(5_000);
    expect(connection.status()).toBe('live');
  });

  it('shows "reconnecting" when a move takes longer than MOVE_GRACE_MS', async () => {
    const first = await connectLive();
    first.receive('moved', {});
    await flushAsync();
    clock.advance(MOVE_GRACE_MS - 1);
    expect(connection.status()).toBe('live');
    clock.advance(1);
    expect(connection.status()).toBe('reconnecting');
    expect(connection.attempt()).toBe(1);
    expect(connection.notice()).toBe('The room is moving to another server');
  });

  it('shows "reconnecting" at once for a 1012 that comes before any welcome', async () => {
    connection.connect('room-1');
    await flushAsync();
    sockets.last.open();
    sockets.last.serverClose(1012);
    expect(connection.status()).toBe('reconnecting');
  });

  it('tells the user a full room answered with 409 by the backend, without opening a socket', async () => {
    roomSession.mockRejectedValueOnce(new ApiError(409, 'room is full'));
    connection.connect('room-1');
    await flushAsync();
    expect(connection.status()).toBe('full');
    expect(connection.notice()).toBe('This room is full');
    expect(sockets.sockets).toHaveLength(0);
    clock.advance(120_000);
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(1);
  });

  it('skips the backoff wait when the browser comes back online', async () => {
    const first = await connectLive();
    first.serverClose(1006);
    clock.advance(0);
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(1);
    window.dispatchEvent(new Event('online'));
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(2);
  });

  it('resets the attempt counter once live again', async () => {
    const first = await connectLive();
    const second = await loseAndReconnect(first);
    second.receive('welcome', welcome());
    second.serverClose(1006);
    expect(connection.attempt()).toBe(1);
  });

  it('gives up on a socket that sends no welcome and tries again', async () => {
    connection.connect('room-1');
    await flushAsync();
    const silent = sockets.last;
    silent.open();
    clock.advance(WELCOME_TIMEOUT_MS);
    expect(silent.closedWith).not.toBeNull();
    expect(connection.status()).toBe('reconnecting');
    expect(connection.notice()).toBe('The room server did not answer in time');
  });

  it('tells the user a full room (4413) and does not retry', async () => {
    const socket = await connectLive();
    socket.serverClose(4413);
    expect(connection.status()).toBe('full');
    clock.advance(120_000);
    await flushAsync();
    expect(roomSession).toHaveBeenCalledTimes(1);
    connection.send('hi');
    await flushAsync();
    expect(connection.pending()).toEqual([]);
    expect(connection.notice()).toBe('This room is full');
  });

  it('says why a 4429 came: too many of your tabs in the room, or too many messages; retries with back-off', async () => {
    connection.connect('room-1');
    await flushAsync();
    sockets.last.open();
    sockets.last.serverClose(4429, TOO_MANY_SOCKETS_REASON);
    expect(connection.status()).toBe('reconnecting');
    expect(connection.notice()).toBe('This room is open in too many of your tabs or devices: close one');
    clock.advance(60_000);
    await flushAsync();
    const next = sockets.last;
    next.open();
    next.receive('welcome', welcome());
    next.serverClose(4429, 'too many frames');
    expect(connection.notice()).toBe('Too many messages too fast');
  });

  it('shows not-found when the backend answers 404, also during a reconnect', async () => {
    roomSession.mockRejectedValueOnce(new ApiError(404, 'Room not found'));
    connection.connect('room-1');
    await flushAsync();
    expect(connection.status()).toBe('not-found');
    expect(sockets.sockets).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);

    // The room expires while the client is away.
    roomSession.mockReset();
    roomSession.mockResolvedValueOnce({ roomId: 'room-2', name: null, url: servers[0], token: 't', serverId: 's1', epoch: 1, kind: 'chat' });
    roomSession.mockRejectedValueOnce(new ApiError(404, 'Room not found'));
    connection.connect('room-2');
    await flushAsync();
    sockets.last.open();
    sockets.last.receive('welcome', welcome({ roomId: 'room-2' }));
    sockets.last.serverClose(1006);
    clock.advance(60_000);
    await flushAsync();
    expect(connection.status()).toBe('not-found');
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops on 401 from the backend (the interceptor sends the user to login)', async () => {
    const socket = await connectLive();
    roomSession.mockRejectedValueOnce(new ApiError(401, 'Unauthorized'));
    socket.serverClose(1006);
    clock.advance(60_000);
    await flushAsync();
    expect(connection.status()).toBe('unauthorized');
    expect(clock.pendingTimers).toBe(0);
  });

  it('tracks members joining and leaving', async () => {
    const socket = await connectLive(welcome({ members: [ME] }));
    const cy = { id: 'u-cy', name: 'Cy' };
    socket.receive('joined', { user: cy });
    socket.receive('joined', { user: cy });
    expect(connection.members()).toEqual([ME, cy]);
    socket.receive('left', { user: cy });
    expect(connection.members()).toEqual([ME]);
  });

  it('throttles outgoing typing and expires typing of others', async () => {
    const socket = await connectLive();
    connection.notifyTyping();
    connection.notifyTyping();
    clock.advance(TYPING_THROTTLE_MS - 1);
    connection.notifyTyping();
    expect(socket.sentOf('typing')).toHaveLength(1);
    clock.advance(1);
    connection.notifyTyping();
    expect(socket.sentOf('typing')).toHaveLength(2);

    socket.receive('typing', { user: BOB });
    expect(connection.typingUsers()).toEqual([BOB]);
    clock.advance(TYPING_SHOW_MS + 1);
    expect(connection.typingUsers()).toEqual([]);

    socket.receive('typing', { user: BOB });
    socket.receive('message', msg(1));
    expect(connection.typingUsers()).toEqual([]);
  });

  it('ignores a late socket of a room it already left', async () => {
    const socket = await connectLive();
    connection.leave();
    expect(socket.closedWith?.code).toBe(1000);
    socket.receive('message', msg(1));
    expect(connection.messages()).toEqual([]);
    expect(connection.status()).toBe('idle');
  });

  describe('edits, deletions, reactions and rev (version 2)', () => {
    /** Frames of version 2 go through the same raw path; FakeSocket.receive is typed for version 1. */
    const raw = (socket: FakeSocket, event: string, data: unknown) => socket.onmessage?.({ data: JSON.stringify({ event, data }) });

    it('applies edited, deleted and reaction to the shown message, and sends edit, delete, react and read', async () => {
      const socket = await connectLive(welcome({ messages: [msg(1, ME), msg(2)] }));
      raw(socket, 'edited', { seq: 1, text: 'fixed', editedAt: 5, rev: 3 });
      raw(socket, 'reaction', { seq: 2, emoji: '👍', userId: ME.id, on: true, rev: 4 });
      raw(socket, 'reaction', { seq: 2, emoji: '👍', userId: BOB.id, on: true, rev: 5 });
      raw(socket, 'reaction', { seq: 2, emoji: '👍', userId: ME.id, on: false, rev: 6 });
      expect(connection.messages()[0]).toMatchObject({ text: 'fixed', editedAt: 5, rev: 3 });
      expect(connection.messages()[1]).toMatchObject({ reactions: { '👍': [BOB.id] }, rev: 6 });
      raw(socket, 'deleted', { seq: 2, rev: 7 });
      expect(connection.messages()[1]).toMatchObject({ text: '', deleted: true, rev: 7 });
      expect(connection.messages()[1]).not.toHaveProperty('reactions');

      connection.editMessage(1, 'again');
      connection.deleteMessage(1);
      connection.react(2, '🎉', true);
      connection.markRead(2);
      connection.markRead(1); // lower: not sent
      expect(socket.sent.slice(-4)).toEqual([
        { event: 'edit', data: { seq: 1, text: 'again' } },
        { event: 'delete', data: { seq: 1 } },
        { event: 'react', data: { seq: 2, emoji: '🎉', on: true } },
        { event: 'read', data: { seq: 2 } },
      ]);
    });

    it('resumes with since and the rev it saw, and puts changed messages in place', async () => {
      const first = await connectLive({ ...welcome({ messages: [msg(1), msg(2)] }), rev: 2 } as WelcomePayload);
      raw(first, 'edited', { seq: 1, text: 'fixed', editedAt: 5, rev: 3 });
      const second = await loseAndReconnect(first);
      expect(second.query.get('since')).toBe('2');
      expect(second.query.get('rev')).toBe('3');
      second.receive('welcome', {
        ...welcome({ messages: [], lastSeq: 2 }),
        rev: 4,
        changed: [{ ...msg(2), text: '', deleted: true, rev: 4 }],
      });
      expect(connection.messages().map((m) => m.text)).toEqual(['fixed', '']);
    });
  });
});
