import { RawFrameClient } from '../support/raw-frame-client';
import { LiveCluster } from './support/live-cluster';

// Attack 2 of issue 15: one access token, creating rooms from many loopback addresses and holding
// each with an idle socket, filled every room slot of the cluster; everyone else got 503. Limits were
// per address only. Now rooms created count per user (default 20 per hour): the attacker is held to
// that quota and others still find room.
const SERVERS = 4;
const ROOMS_PER_SERVER = 15; // 60 slots, three times the per-user quota
const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];

describe('one user cannot take the whole capacity', () => {
  let cluster: LiveCluster;
  const sockets: RawFrameClient[] = [];
  beforeAll(async () => {
    cluster = await LiveCluster.start({ servers: SERVERS, sessionEnv: { MAX_ROOMS: String(ROOMS_PER_SERVER) } });
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await cluster?.close();
  });

  it('holds one token to its room quota, whatever addresses it calls from; others still get rooms', async () => {
    const attacker = await cluster.login('Attacker', SOURCES[0]);
    let held = 0;
    const statuses = new Map<number, number>();
    for (let i = 0; i < SERVERS * ROOMS_PER_SERVER + 5; i++) {
      const from = SOURCES[i % SOURCES.length];
      const created = await cluster.call('POST', '/api/rooms', { token: attacker.token, body: {}, from });
      statuses.set(created.status, (statuses.get(created.status) ?? 0) + 1);
      if (created.status !== 201) {
        if (created.status === 429) {
          expect(Number(created.headers['retry-after'])).toBeGreaterThan(0);
          expect(created.body).toEqual({
            statusCode: 429,
            error: 'Too Many Requests',
            message: expect.stringMatching(/^Too many rooms created: at most 20 per hour\. Try again in \d+ (minutes?|hours?)\.$/),
          });
        }
        continue;
      }
      const session = await cluster.call('POST', `/api/rooms/${created.body.roomId}`, { token: attacker.token, from });
      if (session.status !== 200) continue;
      // An attacker's idle socket from its own source address: the SDK (the global WebSocket) cannot pick one.
      const ws = await RawFrameClient.connect(`${session.body.url}?token=${encodeURIComponent(session.body.token)}`, { localAddress: from });
      sockets.push(ws);
      await ws.next('welcome');
      held++;
    }
    console.log(`capacity attack: one user holds ${held} of ${SERVERS * ROOMS_PER_SERVER} room slots; answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(held).toBe(20);
    expect(statuses.get(429)).toBe(SERVERS * ROOMS_PER_SERVER + 5 - 20);

    // Everyone else still gets rooms.
    for (const name of ['Ada', 'Bob', 'Cleo']) {
      const user = await cluster.login(name);
      const r = await cluster.call('POST', '/api/rooms', { token: user.token, body: {} });
      expect(r.status).toBe(201);
    }
  });
});
