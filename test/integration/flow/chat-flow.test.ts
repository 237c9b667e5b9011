import { Message } from '@app/shared';
import { ModeEnv, PRODUCT_MODES } from '../support/product-modes';
import { Product } from '../support/product';
import { WsTestClient } from '../support/ws-client';

// The whole product as processes (backend + the session servers it starts), real HTTP and real
// WebSocket clients, once per mode.
describe.each(PRODUCT_MODES)('chat flow, $name', (mode) => {
  let product: Product;
  let modeEnv: ModeEnv;
  const open: WsTestClient[] = [];

  beforeAll(async () => {
    // Frame limits are tested apart (session tests); here a client sends 120 messages at once.
    product = await Product.start({ ...(modeEnv = await mode.acquire()).env, SESSION_MIN: '2', RATE_PER_SECOND: '1000', RATE_BURST: '1000' });
  });
  afterEach(() => {
    open.splice(0).forEach((c) => c.terminate());
  });
  afterAll(async () => {
    await product?.stop();
    await modeEnv?.release();
  });

  async function join(token: string, roomId: string, since?: number) {
    const s = await product.session(token, roomId);
    const url = `${s.url}?token=${encodeURIComponent(s.token)}${since === undefined ? '' : `&since=${since}`}`;
    const joined = await WsTestClient.join(url);
    open.push(joined.client);
    return { ...joined, session: s };
  }

  it('login → create → session → two users chat with presence, typing and history paging', async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const roomId = await product.createRoom(ada.token);

    const a = await join(ada.token, roomId);
    expect(a.welcome).toMatchObject({ roomId, serverId: a.session.serverId, you: ada.user, members: [ada.user], messages: [], lastSeq: 0 });
    expect(a.welcome.limits).toEqual({ maxMessageLength: expect.any(Number), maxMembers: expect.any(Number), maxFrameBytes: 65536 });

    const b = await join(bob.token, roomId);
    expect(b.session.serverId).toBe(a.session.serverId);
    expect(b.welcome.members).toEqual(expect.arrayContaining([ada.user, bob.user]));
    expect(await a.client.next('joined')).toEqual({ user: bob.user });

    // A message reaches both (sender too); only the sender gets the ack.
    const seq = await a.client.say('hello\nBob', 'm-1');
    expect(seq).toBe(1);
    const seen = await b.client.next('message');
    expect(seen).toMatchObject({ seq: 1, id: 'm-1', userId: ada.user.id, name: 'Ada', text: 'hello\nBob' });
    expect((await a.client.next('message')).seq).toBe(1);
    expect(b.client.pending('ack')).toEqual([]);

    // Typing goes to the others only.
    b.client.send('typing', {});
    expect(await a.client.next('typing')).toEqual({ user: bob.user });

    // 120 more messages, then page back through history.
    for (let i = 2; i <= 121; i++) a.client.send('send', { text: `n${i}`, clientMsgId: `m-${i}` });
    while ((await a.client.next('ack')).seq !== 121);
    b.client.send('history', { before: 100 });
    const page = await b.client.next('history');
    expect(page.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(page.hasMore).toBe(true);
    b.client.send('history', { before: 50, limit: 100 });
    const first = await b.client.next('history');
    expect(first.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 49 }, (_, i) => 1 + i));
    expect(first.hasMore).toBe(false);

    // A newcomer's welcome has the last 100 messages, oldest first.
    const cy = await product.login('Cy');
    const c = await join(cy.token, roomId);
    expect(c.welcome.lastSeq).toBe(121);
    expect(c.welcome.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 22 + i));

    // Leaving: the others hear `left` once the user's last connection closes.
    await b.client.close();
    expect(await a.client.next('left')).toEqual({ user: bob.user });
  });

  it('resumes a dropped socket with since: nothing lost, nothing twice, unacked re-sent once', async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const roomId = await product.createRoom(ada.token);
    const a = await join(ada.token, roomId);
    const b = await join(bob.token, roomId);
    for (let i = 1; i <= 5; i++) await a.client.say(`before ${i}`, `a-${i}`);
    const bobSaw = async (n: number) => {
      const got: number[] = [];
      while (got.length < n) got.push((await b.client.next('message')).seq);
      return got;
    };
    expect(await bobSaw(5)).toEqual([1, 2, 3, 4, 5]);

    // Bob's socket drops; Ada keeps talking; Bob had sent one message whose ack he never saw.
    b.client.terminate();
    for (let i = 6; i <= 9; i++) await a.client.say(`while away ${i}`, `a-${i}`);
    await a.client.say('bob, are you there?', 'a-10');

    const back = await join(bob.token, roomId, 5);
    expect(back.welcome.messages.map((m: Message) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(back.welcome.lastSeq).toBe(10);
    const firstTry = await back.client.say('yes', 'b-1');
    const retry = await back.client.say('yes', 'b-1');
    expect(retry).toBe(firstTry);
    // Ada sees Bob's message once.
    await a.client.say('ok', 'a-11');
    expect(a.client.all('message').filter((m: Message) => m.id === 'b-1')).toHaveLength(1);

    // A resume at the newest seq carries nothing; since=0 carries everything.
    const none = await join(bob.token, roomId, 12);
    expect(none.welcome.messages).toEqual([]);
    const all = await join(bob.token, roomId, 0);
    expect(all.welcome.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('refuses a real session token on another server or for another room', async () => {
    const ada = await product.login('Ada');
    const cluster = await product.adminCluster();
    const live = cluster.servers.filter((s) => s.alive);
    expect(live.length).toBeGreaterThanOrEqual(2);
    const roomA = await product.createRoom(ada.token);
    const s = await product.session(ada.token, roomA);
    const other = live.find((x) => x.id !== s.serverId)!;
    expect(await WsTestClient.refusal(`${other.url}?token=${encodeURIComponent(s.token)}`)).toBe(401);
    // An access token is refused by a session server.
    expect(await WsTestClient.refusal(`${s.url}?token=${encodeURIComponent(ada.token)}`)).toBe(401);
    expect(await WsTestClient.refusal(`${s.url}`)).toBe(401);
    // The right token still works after all that.
    const ok = await join(ada.token, roomA);
    expect(ok.welcome.roomId).toBe(roomA);
  });
});
