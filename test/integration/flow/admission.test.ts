import { eventually } from '../../support/eventually';
import { Product } from '../support/product';
import { WsTestClient } from '../support/ws-client';

/**
 * Admission before the socket: once the room's server reported maxMembers users connected,
 * get-or-start answers 409 to anyone else (and still 200 to the members), until a place is free.
 */
describe('admission: a full room is refused by get-or-start', () => {
  let product: Product;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    product = await Product.start({ MAX_MEMBERS: '2', HEARTBEAT_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    for (const c of clients) c.terminate();
    await product?.stop();
  });

  it('answers 409 "room is full" to a newcomer, 200 to a member, and 200 again once someone left', async () => {
    const [ann, bob, cid] = await Promise.all(['Ann', 'Bob', 'Cid'].map((name) => product.login(name)));
    const roomId = await product.createRoom(ann.token);
    const join = async (token: string) => {
      const s = await product.session(token, roomId);
      expect(s.epoch).toBeGreaterThanOrEqual(1);
      const { client } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}`);
      clients.push(client);
      return client;
    };
    await join(ann.token);
    const bobSocket = await join(bob.token);

    const refused = await eventually(
      async () => {
        const r = await product.request('POST', `/api/rooms/${roomId}`, cid.token);
        return r.status === 409 ? r : null;
      },
      10_000,
      'get-or-start to answer 409 once the heartbeat reported the room full',
    );
    expect(refused.body).toEqual({ statusCode: 409, message: 'room is full', error: 'Conflict' });
    // A member (another device of Ann) is let in.
    expect((await product.request('POST', `/api/rooms/${roomId}`, ann.token)).status).toBe(200);

    bobSocket.terminate();
    await eventually(async () => (await product.request('POST', `/api/rooms/${roomId}`, cid.token)).status === 200, 10_000, 'a free place again');
    await join(cid.token);
  });
});
