import { randomBytes } from 'node:crypto';
import { eventually } from '../../support/eventually';
import { sendsMalformedFrames } from '../../support/frame-exemptions';
import { startRedisServer, type RedisServerHandle, uniqueKeyPrefix } from '../../support/redis-server';
import { ServerState } from '../../../apps/session/src/lifecycle/server-state';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';
import { sampleValue, scrape } from './prometheus-text';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

describe('session server: /health and /metrics', () => {
  let env: SessionTestEnv;
  const clients: RawFrameClient[] = [];

  beforeAll(async () => {
    env = await createSessionTestEnv();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await env.dispose();
  });

  async function join(server: TestSessionServer, room: string, sub: string) {
    const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ sub, name: sub, room })));
    clients.push(client);
    return { client, welcome };
  }

  it('is ready with what it holds in the details, live always, and 503 once draining', async () => {
    const server = await env.start({ ROOM_STORE: 'memory' });
    const room = newRoomId();
    await join(server, room, 'ann');
    await join(server, room, 'bob');

    const ready = await fetch(`${server.httpUrl}/health`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      info: { session: { status: 'up', state: 'ready', serverId: server.serverId, rooms: 1, connections: 2 } },
      error: {},
      details: { session: { status: 'up', state: 'ready', serverId: server.serverId, rooms: 1, connections: 2 } },
    });

    server.app.get(ServerState).startDraining(Date.now());
    const draining = await fetch(`${server.httpUrl}/health`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'error', error: { session: { status: 'down', state: 'draining' } } });
    const live = await fetch(`${server.httpUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    await server.close();
  });

  it('is live but not ready before it has a token key', async () => {
    const keyless = await env.start({ INTERNAL_SECRET: 'not-the-backend-secret' }, { waitForKey: false });
    await eventually(() => env.backend.unauthorized > 0, 5000, 'refused heartbeat');
    expect((await fetch(`${keyless.httpUrl}/health`)).status).toBe(503);
    expect((await fetch(`${keyless.httpUrl}/health/live`)).status).toBe(200);
    const metrics = await scrape(keyless.httpUrl);
    expect(sampleValue(metrics, 'rooms_session_heartbeats_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, 'rooms_session_heartbeats_total', { result: 'ok' })).toBe(0);
    await keyless.close();
  });

  describe('with ROOM_STORE=redis', () => {
    let redis: RedisServerHandle;

    beforeAll(async () => {
      redis = await startRedisServer();
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('is not ready while Redis does not answer PING, and ready again once it does', async () => {
      const server = await env.start({ ROOM_STORE: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniqueKeyPrefix('session-health') });
      const up = await fetch(`${server.httpUrl}/health`);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ok', info: { session: { status: 'up' }, redis: { status: 'up' } } });

      await redis.stop();
      const down = await fetch(`${server.httpUrl}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'error',
        info: { session: { status: 'up' } },
        error: { redis: { status: 'down', message: expect.stringContaining('unreachable') } },
      });
      expect((await fetch(`${server.httpUrl}/health/live`)).status).toBe(200);

      await redis.start();
      await eventually(async () => (await fetch(`${server.httpUrl}/health`)).status === 200, 10_000, 'ready after Redis is back');
      await server.close();
    });
  });

  it('exports rooms, connections, messages, rejected frames, store latency and heartbeats', async () => {
    const server = await env.start({ ROOM_STORE: 'memory', MAX_FRAME_BYTES: '2048', MAX_MESSAGE_LENGTH: '100' });
    const room = newRoomId();
    const { client: ann } = await join(server, room, 'ann');
    const { client: bob } = await join(server, room, 'bob');
    await join(server, newRoomId(), 'cy');
    for (let i = 1; i <= 3; i++) await ann.say(`hello ${i}`, `ann-${i}`);
    await ann.say('hello 1', 'ann-1'); // a repeated clientMsgId: acked again, not a new message
    for (let i = 1; i <= 3; i++) await bob.next('message');

    // Refused frames on purpose (the metrics count them): exempt from the frame contract check.
    sendsMalformedFrames(ann);
    ann.sendRaw('{nope');
    ann.send('dance', {});
    ann.send('send', { text: 'x'.repeat(101), clientMsgId: 'long' });
    ann.send('send', { text: ' ', clientMsgId: 'blank' });
    ann.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    for (let i = 0; i < 5; i++) await ann.next('error');
    const oversize = sendsMalformedFrames(await RawFrameClient.connect(server.urlFor(server.token({ sub: 'dan', name: 'dan', room }))));
    oversize.sendRaw('y'.repeat(4096));
    expect((await oversize.closed).code).toBe(1009);

    const res = await fetch(`${server.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await res.text();
    const value = (name: string, labels?: Record<string, string>) => sampleValue(text, name, labels);
    expect(value('rooms_session_rooms')).toBe(2);
    expect(value('rooms_session_connections')).toBe(3);
    expect(value('rooms_session_messages_received_total')).toBe(3);
    // Each message went to both members of the room.
    expect(value('rooms_session_messages_delivered_total')).toBe(6);
    expect(value('rooms_session_frames_rejected_total', { reason: 'bad_json' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'unknown_event' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'too_long' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'invalid' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'bad_frame' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'frame_too_large' })).toBe(1);
    expect(value('rooms_session_frames_rejected_total', { reason: 'rate_limited' })).toBe(0);
    expect(value('rooms_session_frames_rejected_total', { reason: 'flood_closed' })).toBe(0);
    expect(value('rooms_session_slow_consumer_closes_total')).toBe(0);
    expect(value('rooms_session_store_append_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('rooms_session_store_append_duration_seconds_count')).toBeLessThanOrEqual(3);
    expect(value('rooms_session_heartbeats_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    // Default process metrics, as on the backend.
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);

    // Another server in this process reports only its own numbers.
    const other = await env.start({ ROOM_STORE: 'memory' });
    const otherText = await scrape(other.httpUrl);
    expect(sampleValue(otherText, 'rooms_session_messages_received_total')).toBe(0);
    expect(sampleValue(otherText, 'rooms_session_connections')).toBe(0);
    await other.close();
    await server.close();
  });

  it('serves /metrics only on METRICS_PORT when it is set, and nothing else there', async () => {
    const server = await env.start({ ROOM_STORE: 'memory', METRICS_PORT: '0' });
    expect(server.metricsUrl).toBeDefined();
    const room = newRoomId();
    await join(server, room, 'ann');

    const res = await fetch(`${server.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await res.text();
    expect(sampleValue(text, 'rooms_session_connections')).toBe(1);
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // The public port (WebSocket, health) no longer has it; the metrics port has nothing else.
    expect((await fetch(`${server.httpUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${server.metricsUrl}/health`)).status).toBe(404);
    expect((await fetch(`${server.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);

    await server.close();
    // Closing the app closes the metrics listener too.
    await expect(fetch(`${server.metricsUrl}/metrics`)).rejects.toThrow();
  });
});
