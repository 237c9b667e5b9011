import { eventually } from '../../support/eventually';
import { isAlive } from '../../support/processes';
import { SdkChatter } from '../../support/sdk-chatter';
import { Product } from '../support/product';

// Finding 8 of issue 23: after an operator's drain in `npm start`, the drained session server stayed
// up and counted toward SESSION_MIN, so nothing started in its place and one server took every room.
// Now a replacement starts, and the drained server stops once it holds no room and no connection.
describe('npm start after an operator drain', () => {
  let product: Product;
  beforeAll(async () => {
    product = await Product.start({ SESSION_MIN: '2', SESSION_MAX: '4', HEARTBEAT_TTL_MS: '1000' });
  });
  afterAll(async () => {
    await product?.stop();
  });

  it('keeps SESSION_MIN servers taking rooms: a replacement starts, the drained server stops once empty', async () => {
    const admin = await product.adminToken();
    const live = async () => (await product.cluster(admin)).servers.filter((s) => s.alive);
    const before = await eventually(async () => ((await live()).length === 2 ? live() : null), 15_000, 'two session servers');
    const { token } = await product.login('Ops');
    const roomId = await product.createRoom(token);
    const chatter = new SdkChatter('ops', [product.url], token, roomId);
    await chatter.connect();
    try {
      const drainedId = before.find((s) => s.rooms.includes(roomId))?.id ?? (await live()).find((s) => s.rooms.includes(roomId))!.id;
      const pid = await product.sessionServerPid(drainedId);
      expect((await product.request('POST', `/api/admin/servers/${drainedId}/drain`, admin)).status).toBe(202);

      // Two servers take rooms again, neither of them the drained one, which is gone with its process.
      const after = await eventually(
        async () => {
          const servers = await live();
          const taking = servers.filter((s) => !s.draining);
          return taking.length === 2 && !servers.some((s) => s.id === drainedId) && !isAlive(pid) ? taking : null;
        },
        30_000,
        'a replacement taking rooms and the drained server stopped',
      );
      expect(after.map((s) => s.id)).not.toContain(drainedId);
      // The room moved and its member followed it.
      expect(await chatter.say('still here')).toBeGreaterThan(0);
    } finally {
      await chatter.close();
    }
  });
});
