import { eventually } from '../../support/eventually';
import { Product } from '../support/product';
import { SdkChatter } from '../../support/sdk-chatter';

/**
 * Admission before the socket: once the room's server reported maxMembers users connected,
 * get-or-start answers 409 to anyone else (and still 200 to the members), until a place is free.
 */
describe('admission: a full room is refused by get-or-start', () => {
  let product: Product;
  const clients: SdkChatter[] = [];

  beforeAll(async () => {
    product = await Product.start({ MAX_MEMBERS: '2', HEARTBEAT_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await product?.stop();
  });

  it('answers 409 "room is full" to a newcomer, 200 to a member, and 200 again once someone left', async () => {
    const [ann, bob, cid] = await Promise.all(['Ann', 'Bob', 'Cid'].map((name) => product.login(name)));
    const roomId = await product.createRoom(ann.token);
    const join = async (name: string, token: string) => {
      const client = new SdkChatter(name, [product.url], token, roomId);
      clients.push(client);
      const welcome = await client.connect();
      expect(welcome.epoch).toBeGreaterThanOrEqual(1);
      return client;
    };
    await join('ann', ann.token);
    const bobClient = await join('bob', bob.token);

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

    await bobClient.close();
    await eventually(async () => (await product.request('POST', `/api/rooms/${roomId}`, cid.token)).status === 200, 10_000, 'a free place again');
    await join('cid', cid.token);
  });
});
