import type { MessageV2 } from '@app/shared';
import { eventually } from '../../support/eventually';
import { pidListeningOn } from '../../support/processes';
import { Product } from '../support/product';
import { ModeEnv, PRODUCT_MODES } from '../support/product-modes';
import { WsTestClient } from '../support/ws-client';

/**
 * Version 2 on real servers: room names, edits, deletions, reactions and read markers seen live by
 * another person, kept by the room store, and carried through a SIGKILL of the session server by a
 * resume with `since` and `rev`.
 */
describe.each(PRODUCT_MODES)('edits, reactions and read markers, $name', (mode) => {
  let product: Product;
  let modeEnv: ModeEnv;

  beforeAll(async () => {
    product = await Product.start({ ...(modeEnv = await mode.acquire()).env, SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });
  });
  afterAll(async () => {
    await product?.stop();
    await modeEnv?.release();
  });

  async function createNamedRoom(token: string, name: string): Promise<string> {
    const r = await product.request<{ roomId: string; name: string | null }>('POST', '/api/rooms', token, { name: `  ${name} ` });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe(name);
    return r.body.roomId;
  }

  async function open(token: string, roomId: string, query = ''): Promise<{ client: WsTestClient; welcome: any; serverId: string; url: string }> {
    const s = await product.session(token, roomId);
    const { client, welcome } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}${query}`);
    return { client, welcome, serverId: s.serverId, url: s.url };
  }

  it('names the room to whoever joins by link, and passes edits, deletions, reactions and reads on live', async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const roomId = await createNamedRoom(ada.token, 'Friday standup');
    expect((await product.session(bob.token, roomId)).name).toBe('Friday standup');
    const a = await open(ada.token, roomId);
    const b = await open(bob.token, roomId);
    expect(b.welcome).toMatchObject({ name: 'Friday standup', rev: 0, readSeq: 0, changed: [] });

    await a.client.say('helo', 'a-1');
    await a.client.say('second', 'a-2');
    a.client.send('edit', { seq: 1, text: 'hello' });
    const edited = await b.client.next('edited');
    expect(edited).toEqual({ seq: 1, text: 'hello', editedAt: expect.any(Number), rev: 3 });
    b.client.send('edit', { seq: 1, text: 'hijacked' });
    expect(await b.client.next('error')).toMatchObject({ code: 'forbidden' });
    b.client.send('react', { seq: 2, emoji: '👍', on: true });
    expect(await a.client.next('reaction')).toEqual({ seq: 2, emoji: '👍', userId: bob.user.id, on: true, rev: 4 });
    b.client.send('react', { seq: 2, emoji: 'two words', on: true });
    expect(await b.client.next('error')).toMatchObject({ code: 'invalid' });
    a.client.send('delete', { seq: 2 });
    expect(await b.client.next('deleted')).toEqual({ seq: 2, rev: 5 });
    b.client.send('read', { seq: 2 });
    expect(await a.client.next('read')).toEqual({ userId: bob.user.id, seq: 2 });
    b.client.send('edit', { seq: 99, text: 'x' });
    expect(await b.client.next('error')).toMatchObject({ code: 'not_found' });

    // Bob's phone opens at his marker, and sees the current state of every message.
    await eventually(
      async () => {
        const phone = await open(bob.token, roomId);
        phone.client.terminate();
        return phone.welcome.readSeq === 2;
      },
      5000,
      "bob's marker to be kept",
    );
    const phone = await open(bob.token, roomId);
    expect(phone.welcome.rev).toBe(5);
    expect(phone.welcome.messages).toEqual([
      expect.objectContaining({ seq: 1, text: 'hello', editedAt: edited.editedAt, rev: 3 }),
      expect.objectContaining({ seq: 2, text: '', deleted: true, rev: 5 }),
    ]);
    expect(phone.welcome.messages[1]).not.toHaveProperty('reactions');
    expect(phone.welcome.reads).toEqual(
      expect.arrayContaining([
        { userId: bob.user.id, seq: 2 },
        { userId: ada.user.id, seq: 0 },
      ]),
    );
    for (const c of [a.client, b.client, phone.client]) c.terminate();
  });

  it("summarizes rooms for the lobby from the session servers' heartbeats: GET /api/rooms?ids=", async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const named = await createNamedRoom(ada.token, 'Lobby test');
    const quiet = await product.createRoom(ada.token);
    const a = await open(ada.token, named);
    const b = await open(bob.token, named);
    for (let i = 1; i <= 3; i++) await a.client.say(`m${i}`, `a-${i}`);
    type Summaries = { rooms: Array<{ roomId: string; name: string | null; lastSeq: number; online: number; lastActivityAt: number }> };
    const ask = (ids: string, token = bob.token) => product.request<Summaries>('GET', `/api/rooms?ids=${ids}`, token);
    await eventually(
      async () => {
        const r = await ask(`${quiet},unknown-room-id-1,${named}`);
        expect(r.status).toBe(200);
        expect(r.body.rooms.map((x) => x.roomId)).toEqual([quiet, named]);
        const [q, n] = r.body.rooms;
        expect(q).toEqual({ roomId: quiet, name: null, lastSeq: 0, online: 0, lastActivityAt: expect.any(Number) });
        return n.name === 'Lobby test' && n.lastSeq === 3 && n.online === 2;
      },
      5000,
      'the summary to show 3 messages and 2 people online',
    );
    b.client.terminate();
    await eventually(async () => (await ask(named)).body.rooms[0].online === 1, 5000, 'bob to go offline in the summary');

    expect((await ask(named, '')).status).toBe(401);
    for (const bad of ['', ',', `${named},,${quiet}`, `${named}%20`, Array.from({ length: 51 }, (_, i) => `room-${i}-xxxxxx`).join(',')]) {
      expect((await ask(bad)).status).toBe(400);
    }
    expect((await product.request('GET', '/api/rooms', bob.token)).status).toBe(400);
    expect((await ask(Array.from({ length: 50 }, () => named).join(','))).body.rooms).toHaveLength(1);
    a.client.terminate();
  });

  it('refuses a malformed rev at the upgrade', async () => {
    const ada = await product.login('Ada');
    const roomId = await product.createRoom(ada.token);
    const s = await product.session(ada.token, roomId);
    expect(await WsTestClient.refusal(`${s.url}?token=${encodeURIComponent(s.token)}&since=0&rev=-1`)).toBe(400);
    expect(await WsTestClient.refusal(`${s.url}?token=${encodeURIComponent(s.token)}&since=0&rev=1e3`)).toBe(400);
  });

  it('carries an edit made just before a SIGKILL of the session server to the resumed client, in changed', async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const roomId = await createNamedRoom(ada.token, 'Crash test');
    const a = await open(ada.token, roomId);
    const b = await open(bob.token, roomId);
    for (let i = 1; i <= 3; i++) await a.client.say(`message ${i}`, `a-${i}`);
    // Bob has seen everything so far: his resume point.
    await eventually(() => b.client.all('message').length === 3, 5000, 'bob to see 3 messages');
    const since = 3;
    const rev = 3;
    b.client.terminate();

    // While Bob is away: an edit and a reaction, acknowledged by being broadcast to Ada (so stored).
    a.client.send('edit', { seq: 2, text: 'message 2, corrected' });
    await a.client.next('edited');
    a.client.send('react', { seq: 1, emoji: '🎉', on: true });
    await a.client.next('reaction');
    a.client.send('read', { seq: 3 });
    await a.client.say('message 4', 'a-4');

    const cluster = await product.adminCluster();
    const port = Number(new URL(cluster.servers.find((s) => s.id === a.serverId)!.url!).port);
    const pid = pidListeningOn(port);
    expect(pid).toBeDefined();
    expect(pid).not.toBe(product.pid);
    // No wait for the read marker: its write was issued before message 4's append (SQLite: written in
    // that turn; Redis: the same connection, answered in order), so message 4's ack means it is stored.
    process.kill(pid!, 'SIGKILL');
    await a.client.closed;

    let resumed!: { client: WsTestClient; welcome: any; serverId: string };
    await eventually(
      async () => {
        resumed = await open(bob.token, roomId, `&since=${since}&rev=${rev}`);
        return true;
      },
      10_000,
      'bob to resume on a live server',
    );
    expect(resumed.serverId).not.toBe(a.serverId);
    const w = resumed.welcome;
    expect(w.name).toBe('Crash test');
    expect(w.rev).toBe(6);
    expect(w.messages.map((m: MessageV2) => [m.seq, m.text, m.rev])).toEqual([[4, 'message 4', 6]]);
    expect(w.changed).toEqual([
      expect.objectContaining({ seq: 1, text: 'message 1', reactions: { '🎉': [ada.user.id] }, rev: 5 }),
      expect.objectContaining({ seq: 2, text: 'message 2, corrected', editedAt: expect.any(Number), rev: 4 }),
    ]);
    // Ada's other device opens at her marker on the new server.
    const other = await open(ada.token, roomId);
    expect(other.welcome.readSeq).toBe(3);
    // And the room's rev goes on from the store's.
    other.client.send('delete', { seq: 4 });
    expect(await resumed.client.next('deleted')).toEqual({ seq: 4, rev: 7 });
    resumed.client.terminate();
    other.client.terminate();
  });
});
