import { eventually } from '../../support/eventually';
import { isAlive, pidListeningOn } from '../../support/processes';
import { Product } from '../support/product';
import { SdkChatter } from '../../support/sdk-chatter';

describe('local provisioner: spread, scale out, scale in, no orphans', () => {
  let product: Product;

  beforeAll(async () => {
    // The idle stop must not race the first test (its rooms have no connections): on a loaded machine
    // 1.5 s passed between the scale-out and the next look, and the extra server was already gone.
    // Nor may the release of placements nobody connected to: a room its server has not reported for a
    // heartbeat TTL frees its slot, and on a loaded machine starting the third server took longer than
    // the default 5 s TTL, so the 503 at the maximum became a 201 (the test allows 15 s for it).
    product = await Product.start({
      SESSION_MIN: '2',
      SESSION_MAX: '3',
      SESSION_MAX_ROOMS: '2',
      SESSION_IDLE_STOP_MS: '6000',
      SESSION_SCALE_UP_AT: '1',
      HEARTBEAT_TTL_MS: '20000',
    });
  });
  afterAll(async () => {
    await product?.stop();
  });

  it('spreads rooms over servers, starts a new process when all are full, answers 503 at the maximum', async () => {
    const { token } = await product.login('Ops');
    const first = await product.cluster(token);
    expect(first.servers.filter((s) => s.alive)).toHaveLength(2);

    const rooms: string[] = [];
    for (let i = 0; i < 4; i++) rooms.push(await product.createRoom(token));
    const spread = await product.cluster(token);
    expect(spread.servers.filter((s) => s.alive).map((s) => s.rooms.length)).toEqual([2, 2]);

    // Both servers are full: this request needs a new process, and waits for it.
    const started = Date.now();
    rooms.push(await product.createRoom(token));
    const waited = Date.now() - started;
    const grown = await product.cluster(token);
    const live = grown.servers.filter((s) => s.alive);
    expect(live).toHaveLength(3);
    const newcomer = live.find((s) => !first.servers.some((f) => f.id === s.id))!;
    expect(newcomer.rooms).toEqual([rooms[4]]);
    // The new server serves the room for real.
    const s = await product.session(token, rooms[4]);
    expect(s.serverId).toBe(newcomer.id);
    const client = new SdkChatter('ops', [product.url], token, rooms[4]);
    const welcome = await client.connect();
    expect(welcome.roomId).toBe(rooms[4]);
    expect(welcome.serverId).toBe(newcomer.id);
    await client.close();
    expect(waited).toBeLessThan(15_000);

    rooms.push(await product.createRoom(token));
    // 3 servers × 2 rooms, SESSION_MAX = 3: no capacity anywhere.
    const full = await product.request('POST', '/api/rooms', token, {});
    expect(full.status).toBe(503);
    expect(full.body.message).toMatch(/no session server/);
  });

  it('stops an extra server that stayed idle, down to the minimum', async () => {
    const { token } = await product.login('Ops');
    // The provisioner looks every half TTL (10 s): idle for 6 s is seen within two looks.
    await eventually(async () => (await product.cluster(token)).servers.filter((s) => s.alive).length === 2, 40_000, 'the idle extra server to stop');
  });

  it('leaves no session process behind when the backend is stopped', async () => {
    const pids = (await product.adminCluster()).servers
      .filter((s) => s.alive)
      .map((s) => pidListeningOn(Number(new URL(s.url!).port)))
      .filter((p): p is number => p !== undefined);
    expect(pids.length).toBe(2);
    await product.stop();
    await eventually(() => pids.every((p) => !isAlive(p)), 10_000, 'session processes to exit');
  });
});
