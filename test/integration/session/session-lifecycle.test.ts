import { randomBytes } from 'node:crypto';
import { RoomsService } from '../../../apps/session/src/rooms/rooms.service';
import { eventually } from '../../support/eventually';
import { createSessionTestEnv, TEST_INTERNAL_SECRET, type SessionTestEnv } from '../support/session-server';
import { FakeBackend } from '../support/fake-backend';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

describe('session server: lifecycle', () => {
  let env: SessionTestEnv;
  const clients: RawFrameClient[] = [];
  const track = <T extends { client: RawFrameClient }>(joined: T): T => {
    clients.push(joined.client);
    return joined;
  };

  beforeEach(async () => {
    env = await createSessionTestEnv();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await env.dispose();
  });

  it('drains on shutdown: every socket closes with 1012 and the backend hears draining', async () => {
    const server = await env.start();
    const room = newRoomId();
    const { client: ann } = track(await RawFrameClient.join(server.urlFor(server.token({ sub: 'a', name: 'Ann', room }))));
    const { client: bob } = track(await RawFrameClient.join(server.urlFor(server.token({ sub: 'b', name: 'Bob', room: newRoomId() }))));
    expect(await ann.say('before the drain', 'd-1')).toBe(1);

    await server.close();
    expect((await ann.closed).code).toBe(1012);
    expect((await bob.closed).code).toBe(1012);
    const beats = env.backend.heartbeats.filter((h) => h.serverId === server.serverId);
    expect(beats.some((h) => h.draining && h.rooms.some((r) => r.roomId === room))).toBe(true);
    expect(beats.at(-1)).toMatchObject({ draining: true, rooms: [] });
  });

  it('lets a second server continue a room from the same SQLite file (takeover): seq and de-duplication go on', async () => {
    const first = await env.start({ ROOM_STORE: 'sqlite' });
    const room = newRoomId();
    const { client: ann } = track(await RawFrameClient.join(first.urlFor(first.token({ sub: 'a', name: 'Ann', room }))));
    for (let i = 1; i <= 3; i++) await ann.say(`m${i}`, `t-${i}`);
    await first.close();
    expect((await ann.closed).code).toBe(1012);

    const second = await env.start({ ROOM_STORE: 'sqlite' });
    const { client: again, welcome } = track(await RawFrameClient.join(second.urlFor(second.token({ sub: 'a', name: 'Ann', room }), 1)));
    expect(welcome.serverId).toBe(second.serverId);
    expect(welcome.lastSeq).toBe(3);
    expect(welcome.messages.map((m: any) => m.text)).toEqual(['m2', 'm3']);
    // The resend of an acknowledged message after the move is recognised; a new one continues the seq.
    expect(await again.say('m3', 't-3')).toBe(3);
    expect(await again.say('m4', 't-4')).toBe(4);
  });

  it('gives a room up with 4404 when another server wrote to it meanwhile (stale owner)', async () => {
    const a = await env.start();
    const b = await env.start();
    const room = newRoomId();
    const { client: onA } = track(await RawFrameClient.join(a.urlFor(a.token({ sub: 'a', name: 'Ann', room }))));
    expect(await onA.say('on A', 'a-1')).toBe(1);
    const { client: onB } = track(await RawFrameClient.join(b.urlFor(b.token({ sub: 'b', name: 'Bob', room }))));
    expect(await onB.say('on B', 'b-1')).toBe(2);

    onA.send('send', { text: 'A thinks it still owns the room', clientMsgId: 'a-2' });
    expect((await onA.closed).code).toBe(4404);
    expect(onA.all('ack')).toHaveLength(1);
    // B is unaffected and the stale write was not stored.
    expect(await onB.say('still B', 'b-2')).toBe(3);
  });

  it('closes a room the backend revoked with 4404', async () => {
    const server = await env.start();
    const room = newRoomId();
    const { client } = track(await RawFrameClient.join(server.urlFor(server.token({ sub: 'a', name: 'Ann', room }))));
    await env.backend.waitForHeartbeat((h) => h.rooms.some((r) => r.roomId === room && r.connections === 1));
    env.backend.revoke(room);
    expect((await client.closed).code).toBe(4404);
  });

  it('refuses a new user in a full room with 4413 but lets a present user open another connection', async () => {
    const server = await env.start({ MAX_MEMBERS: '2' });
    const room = newRoomId();
    const url = (sub: string) => server.urlFor(server.token({ sub, name: sub, room }));
    track(await RawFrameClient.join(url('a')));
    const { client: b } = track(await RawFrameClient.join(url('b')));
    const c = await RawFrameClient.connect(url('c'));
    clients.push(c);
    expect((await c.closed).code).toBe(4413);
    expect(c.received).toEqual([]);
    const { welcome } = track(await RawFrameClient.join(url('b')));
    expect(welcome.members).toHaveLength(2);
    expect(await b.say('still fine', 'x')).toBe(1);
  });

  it('refuses a room beyond MAX_ROOMS with 1012 and takes it once a slot is free', async () => {
    const server = await env.start({ MAX_ROOMS: '1', ROOM_IDLE_MS: '50' });
    const url = (room: string) => server.urlFor(server.token({ sub: 'a', name: 'Ann', room }));
    const { client: first } = track(await RawFrameClient.join(url(newRoomId())));
    const other = newRoomId();
    const refused = await RawFrameClient.connect(url(other));
    clients.push(refused);
    expect(await refused.closed).toEqual({ code: 1012, reason: 'server full' });

    await first.close();
    await eventually(() => server.app.get(RoomsService).roomCount === 0, 5000, 'idle room disposed');
    track(await RawFrameClient.join(url(other)));
  });

  it('refuses upgrades from origins outside ALLOWED_ORIGINS with 403', async () => {
    const server = await env.start({ ALLOWED_ORIGINS: 'https://chat.example, https://other.example' });
    const url = server.urlFor(server.token({ sub: 'a', name: 'Ann', room: newRoomId() }));
    expect(await RawFrameClient.refusal(url, { origin: 'https://evil.example' })).toBe(403);
    track(await RawFrameClient.join(url, { origin: 'https://other.example' }));
  });

  it('verifies with SESSION_TOKEN_PUBLIC_KEY without a key from any backend, sends nothing until a backend answers (its lease), and is unhealthy without a key', async () => {
    // This backend's replies carry no usable key: tokens are verified with the pinned one.
    const silent = await FakeBackend.start({ internalSecret: TEST_INTERNAL_SECRET, sessionTokenPublicKey: 'unused' });
    try {
      silent.failWithStatus = 503;
      const pinned = await env.start({ BACKEND_URL: silent.url, SESSION_TOKEN_PUBLIC_KEY: env.keys.publicKeyPem }, { waitForKey: false });
      expect((await fetch(`${pinned.httpUrl}/health`)).status).toBe(200);
      const waiting = await RawFrameClient.connect(pinned.urlFor(pinned.token({ sub: 'a', name: 'Ann', room: newRoomId() })));
      clients.push(waiting);
      await eventually(() => silent.refused >= 3, 5000, 'three unanswered heartbeats');
      // The token was taken (the socket is open), but no heartbeat was answered: no lease, no frame.
      expect(waiting.received).toEqual([]);
      silent.failWithStatus = null;
      expect((await waiting.next('welcome')).serverId).toBe(pinned.serverId);
    } finally {
      await silent.close();
    }

    const keyless = await env.start({ INTERNAL_SECRET: 'a-wrong-secret' }, { waitForKey: false });
    await eventually(() => env.backend.unauthorized > 0, 5000, 'refused heartbeat');
    const health = await fetch(`${keyless.httpUrl}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', error: { session: { status: 'down', state: 'starting' } } });
    expect(await RawFrameClient.refusal(keyless.urlFor(keyless.token({ sub: 'a', name: 'Ann', room: newRoomId() })))).toBe(503);
    expect(TEST_INTERNAL_SECRET).not.toBe('a-wrong-secret');
  });
});
