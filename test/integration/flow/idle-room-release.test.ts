import { eventually } from '../../support/eventually';
import { LiveCluster } from '../security/support/live-cluster';
import { WsTestClient } from '../support/ws-client';

// A room nobody is connected to stops holding a slot after ROOM_IDLE_MS (30 s by default; short
// here): the session server lets it go, the backend frees the slot, and a later get-or-start places
// the room again, which loads its history from the store.
describe('idle rooms give their slot back', () => {
  let cluster: LiveCluster;
  beforeAll(async () => {
    cluster = await LiveCluster.start({
      servers: 1,
      backendEnv: { HEARTBEAT_TTL_MS: '600' },
      sessionEnv: { MAX_ROOMS: '1', ROOM_IDLE_MS: '300', HEARTBEAT_INTERVAL_MS: '100' },
    });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('frees the only slot of a room left alone, then places and hydrates it again', async () => {
    const ada = await cluster.login('Ada');
    const first = (await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).body.roomId as string;
    const s1 = await cluster.call('POST', `/api/rooms/${first}`, { token: ada.token });
    const c1 = await WsTestClient.connect(`${s1.body.url}?token=${encodeURIComponent(s1.body.token)}`);
    await c1.next('welcome');
    await c1.say('kept in the store', 'idle-1');
    // The one slot is taken: no other room can be placed.
    expect((await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).status).toBe(503);
    c1.socket.close();
    await c1.closed;

    // Nobody connected: the slot comes back.
    const admin = await cluster.adminToken();
    await eventually(async () => (await cluster.cluster(admin)).servers[0].roomCount === 0, 5000, 'the idle room to be released');
    const second = await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} });
    expect(second.status).toBe(201);

    // The second room is never connected to: it lets the slot go too, and the first room comes back with its history.
    await eventually(async () => (await cluster.call('POST', `/api/rooms/${first}`, { token: ada.token })).status === 200, 5000, 'the first room placed again');
    const s2 = await cluster.call('POST', `/api/rooms/${first}`, { token: ada.token });
    const c2 = await WsTestClient.connect(`${s2.body.url}?token=${encodeURIComponent(s2.body.token)}&since=0`);
    const welcome = await c2.next('welcome');
    expect(welcome.messages.map((m: { text: string }) => m.text)).toEqual(['kept in the store']);
    c2.socket.close();
  });
});
