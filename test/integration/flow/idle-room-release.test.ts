import { eventually } from '../../support/eventually';
import { LiveCluster } from '../security/support/live-cluster';
import { SdkChatter } from '../../support/sdk-chatter';

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
    const c1 = new SdkChatter('idle', [cluster.url], ada.token, first);
    await c1.connect();
    await c1.say('kept in the store');
    // The one slot is taken: no other room can be placed.
    expect((await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).status).toBe(503);
    await c1.close();

    // Nobody connected: the slot comes back.
    const admin = await cluster.adminToken();
    await eventually(async () => (await cluster.cluster(admin)).servers[0].roomCount === 0, 5000, 'the idle room to be released');
    const second = await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} });
    expect(second.status).toBe(201);

    // The second room is never connected to: it lets the slot go too, and the first room comes back with its history.
    await eventually(async () => (await cluster.call('POST', `/api/rooms/${first}`, { token: ada.token })).status === 200, 5000, 'the first room placed again');
    const c2 = new SdkChatter('back', [cluster.url], ada.token, first);
    const welcome = await c2.connect();
    expect(welcome.messages.map((m) => m.text)).toEqual(['kept in the store']);
    await c2.close();
  });
});
