import { randomBytes } from 'node:crypto';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

describe('session server: protocol', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const clients: RawFrameClient[] = [];

  async function join(room: string, user: { sub: string; name: string }, since?: number) {
    const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ ...user, room }), since));
    clients.push(client);
    return { client, welcome };
  }

  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({ HISTORY_LIMIT: '5', RESUME_LIMIT: '20' });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await env.dispose();
  });

  it('reports health and registers with the backend', async () => {
    const res = await fetch(`${server.httpUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      info: { session: { status: 'up', state: 'ready', serverId: server.serverId, rooms: expect.any(Number), connections: expect.any(Number) } },
    });
    const hb = await env.backend.waitForHeartbeat((h) => h.serverId === server.serverId);
    expect(hb).toMatchObject({ url: server.wsUrl, capacity: 50, draining: false, rooms: expect.any(Array) });
  });

  it('welcomes, chats between two users with message and ack, and tells presence', async () => {
    const room = newRoomId();
    const { client: ann, welcome } = await join(room, { sub: 'u-ann', name: 'Ann' });
    expect(welcome).toEqual({
      roomId: room,
      // Version 3: every welcome names the room's kind; a token without one is a chat room's.
      kind: 'chat',
      serverId: server.serverId,
      you: { id: 'u-ann', name: 'Ann' },
      members: [{ id: 'u-ann', name: 'Ann' }],
      messages: [],
      lastSeq: 0,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
      epoch: 1,
      name: null,
      rev: 0,
      readSeq: 0,
      reads: [{ userId: 'u-ann', seq: 0 }],
      changed: [],
    });

    const { client: bob, welcome: bobWelcome } = await join(room, { sub: 'u-bob', name: 'Bob' });
    expect(bobWelcome.members).toEqual([
      { id: 'u-ann', name: 'Ann' },
      { id: 'u-bob', name: 'Bob' },
    ]);
    expect(await ann.next('joined')).toEqual({ user: { id: 'u-bob', name: 'Bob' } });

    ann.send('send', { text: 'hi Bob\nsecond line', clientMsgId: 'ann-1' });
    const forBob = await bob.next('message');
    expect(forBob).toEqual({ seq: 1, id: 'ann-1', userId: 'u-ann', name: 'Ann', text: 'hi Bob\nsecond line', ts: expect.any(Number), rev: 1 });
    expect(await ann.next('message')).toEqual(forBob);
    expect(await ann.next('ack')).toEqual({ clientMsgId: 'ann-1', seq: 1 });

    expect(await bob.say('hello Ann', 'bob-1')).toBe(2);
    expect((await ann.next('message')).seq).toBe(2);
    expect(bob.pending('ack')).toEqual([]);
    expect(ann.all('ack')).toEqual([{ clientMsgId: 'ann-1', seq: 1 }]);

    bob.send('typing', {});
    expect(await ann.next('typing')).toEqual({ user: { id: 'u-bob', name: 'Bob' } });

    await bob.close();
    expect(await ann.next('left')).toEqual({ user: { id: 'u-bob', name: 'Bob' } });
  });

  it('counts a user with two connections once: joined once, left after the last one', async () => {
    const room = newRoomId();
    const { client: ann } = await join(room, { sub: 'u-ann', name: 'Ann' });
    const { client: bob1 } = await join(room, { sub: 'u-bob', name: 'Bob' });
    const { welcome } = await join(room, { sub: 'u-bob', name: 'Bob' });
    expect(welcome.members).toHaveLength(2);
    await ann.next('joined');
    await bob1.close();
    // A barrier instead of a sleep: once this message arrives, any `left` would have come before it.
    const { client: bob3 } = await join(room, { sub: 'u-bob', name: 'Bob' });
    await bob3.say('still here', 'b3');
    await ann.next('message');
    expect(ann.all('joined')).toHaveLength(1);
    expect(ann.all('left')).toEqual([]);
  });

  it('de-duplicates a clientMsgId: the retry gets the first ack and nothing is stored twice', async () => {
    const room = newRoomId();
    const { client: ann } = await join(room, { sub: 'u-ann', name: 'Ann' });
    const { client: bob } = await join(room, { sub: 'u-bob', name: 'Bob' });
    expect(await ann.say('once', 'dup-1')).toBe(1);
    ann.send('send', { text: 'once', clientMsgId: 'dup-1' });
    expect(await ann.next('ack')).toEqual({ clientMsgId: 'dup-1', seq: 1 });
    expect(await ann.say('twice', 'dup-2')).toBe(2);
    expect((await bob.next('message')).seq).toBe(1);
    expect((await bob.next('message')).seq).toBe(2);
    expect(bob.pending('message')).toEqual([]);

    // Also across a reconnect of the sender.
    ann.terminate();
    const { client: again, welcome } = await join(room, { sub: 'u-ann', name: 'Ann' }, 2);
    expect(welcome.messages).toEqual([]);
    expect(await again.say('once', 'dup-1')).toBe(1);
  });

  it('serves a room under one epoch: a newer token fences the copy held here (4404) and reloads it; an older one gets 4404', async () => {
    const room = newRoomId();
    const ann = { sub: 'u-ann', name: 'Ann' };
    const first = await RawFrameClient.join(server.urlFor(server.token({ ...ann, room, epoch: 3 })));
    clients.push(first.client);
    expect(first.welcome.epoch).toBe(3);
    expect(await first.client.say('under three', 'e3-1')).toBe(1);

    // The room was placed here again (a newer epoch): the old copy's sockets go, the new one continues the seq.
    const second = await RawFrameClient.join(server.urlFor(server.token({ ...ann, room, epoch: 5 }), 1));
    clients.push(second.client);
    expect(await first.client.closed).toEqual({ code: 4404, reason: expect.any(String) });
    expect(second.welcome).toMatchObject({ epoch: 5, lastSeq: 1, messages: [] });
    expect(await second.client.say('under five', 'e5-1')).toBe(2);

    // A token from before that placement is stale: 4404 before any room data.
    const stale = await RawFrameClient.connect(server.urlFor(server.token({ ...ann, room, epoch: 4 })));
    clients.push(stale);
    expect(await stale.closed).toEqual({ code: 4404, reason: expect.any(String) });
    expect(stale.received).toEqual([]);
    // Another server (sharing the SQLite store) that never held the room refuses the old epoch too:
    // the store remembers epoch 5.
    const elsewhere = await env.start();
    try {
      const staleThere = await RawFrameClient.connect(elsewhere.urlFor(elsewhere.token({ ...ann, room, epoch: 4 })));
      clients.push(staleThere);
      expect((await staleThere.closed).code).toBe(4404);
      expect(staleThere.received).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('pages history backwards with hasMore', async () => {
    const room = newRoomId();
    const { client: ann, welcome } = await join(room, { sub: 'u-ann', name: 'Ann' });
    expect(welcome.lastSeq).toBe(0);
    for (let i = 1; i <= 12; i++) await ann.say(`m${i}`, `h-${i}`);

    const { welcome: w2, client: bob } = await join(room, { sub: 'u-bob', name: 'Bob' });
    expect(w2.messages.map((m: any) => m.seq)).toEqual([8, 9, 10, 11, 12]); // HISTORY_LIMIT 5
    expect(w2.lastSeq).toBe(12);

    bob.send('history', { before: 8, limit: 4 });
    const page1 = await bob.next('history');
    expect(page1.messages.map((m: any) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(page1.hasMore).toBe(true);
    bob.send('history', { before: 4 });
    const page2 = await bob.next('history');
    expect(page2).toEqual({ messages: [1, 2, 3].map((s) => expect.objectContaining({ seq: s, text: `m${s}` })), hasMore: false });
    bob.send('history', { before: 1, limit: 10 });
    expect(await bob.next('history')).toEqual({ messages: [], hasMore: false });
  });

  it('resumes with since: exactly the messages after it, none lost, none twice', async () => {
    const room = newRoomId();
    const { client: writer } = await join(room, { sub: 'u-w', name: 'Writer' });
    const { client: reader } = await join(room, { sub: 'u-r', name: 'Reader' });
    for (let i = 1; i <= 4; i++) await writer.say(`m${i}`, `r-${i}`);
    for (let i = 1; i <= 4; i++) expect((await reader.next('message')).seq).toBe(i);
    reader.terminate();
    for (let i = 5; i <= 9; i++) await writer.say(`m${i}`, `r-${i}`);

    const { client: back, welcome } = await join(room, { sub: 'u-r', name: 'Reader' }, 4);
    expect(welcome.messages.map((m: any) => m.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(welcome.lastSeq).toBe(9);
    await writer.say('m10', 'r-10');
    expect((await back.next('message')).seq).toBe(10);

    expect((await join(room, { sub: 'u-x', name: 'X' }, 10)).welcome.messages).toEqual([]);
    expect((await join(room, { sub: 'u-x', name: 'X' }, 99)).welcome.messages).toEqual([]);
    expect((await join(room, { sub: 'u-x', name: 'X' }, 0)).welcome.messages.map((m: any) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('caps a resume at RESUME_LIMIT newest messages', async () => {
    const room = newRoomId();
    const { client: ann } = await join(room, { sub: 'u-ann', name: 'Ann' });
    for (let i = 1; i <= 25; i++) ann.send('send', { text: `m${i}`, clientMsgId: `cap-${i}` });
    for (let i = 1; i <= 25; i++) await ann.next('ack');
    const { welcome } = await join(room, { sub: 'u-bob', name: 'Bob' }, 0);
    expect(welcome.messages.map((m: any) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
  });
});
