import type { Message } from '@app/shared';
import { eventually } from '../../support/eventually';
import { chattersPerTest, nextEvent } from '../../support/sdk-chatter';
import { PRODUCT_MODES, productInMode } from '../support/product-modes';
import { RawFrameClient } from '../support/raw-frame-client';

// The whole product as processes (backend + the session servers it starts), real HTTP and the SDK
// as the client, once per mode.
describe.each(PRODUCT_MODES)('chat flow, $name', (mode) => {
  // Frame limits are tested apart (session tests); here a client sends 120 messages at once.
  const running = productInMode(mode, { SESSION_MIN: '2', RATE_PER_SECOND: '1000', RATE_BURST: '1000' });
  const joinRoom = chattersPerTest();
  const join = (name: string, token: string, roomId: string) => joinRoom(name, running.product.url, token, roomId);
  const raw: RawFrameClient[] = [];
  afterEach(() => {
    raw.splice(0).forEach((c) => c.terminate());
  });

  it('login → create → session → two users chat with presence, typing and history paging', async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const roomId = await running.product.createRoom(ada.token);

    const a = await join('m', ada.token, roomId);
    expect(a.welcome).toMatchObject({ roomId, you: ada.user, members: [ada.user], messages: [], lastSeq: 0 });
    expect(a.welcome.limits).toEqual({ maxMessageLength: expect.any(Number), maxMembers: expect.any(Number), maxFrameBytes: 65536 });

    const joined = nextEvent(a.room, 'joined');
    const b = await join('b', bob.token, roomId);
    expect(b.welcome.serverId).toBe(a.welcome.serverId);
    expect(b.welcome.members).toEqual(expect.arrayContaining([ada.user, bob.user]));
    expect(await joined).toEqual({ user: bob.user });

    // A message reaches both (sender too); only the sender gets the ack.
    const bobSees = nextEvent(b.room, 'message');
    const adaSees = nextEvent(a.room, 'message');
    const bobAcks: unknown[] = [];
    b.room.on('ack', (ack) => bobAcks.push(ack));
    expect(await a.chatter.say('hello\nBob')).toBe(1);
    expect(await bobSees).toMatchObject({ seq: 1, id: 'm-1', userId: ada.user.id, name: 'Ada', text: 'hello\nBob' });
    expect((await adaSees).seq).toBe(1);

    // Typing goes to the others only.
    const typing = nextEvent(a.room, 'typing');
    // Read off the wire: the SDK would hide a `typing` of Bob's own from Bob anyway.
    const selfTyping: unknown[] = [];
    b.room.on('frame', (f) => f.event === 'typing' && selfTyping.push(f.data));
    expect(b.room.typing()).toBe(true);
    expect(await typing).toEqual({ user: bob.user });

    // 120 more messages, then page back through history.
    for (let i = 2; i <= 121; i++) a.chatter.send(`n${i}`);
    await eventually(() => a.chatter.acks.size === 121, 10_000, 'every message acked');
    expect(a.chatter.acks.get('m-121')).toBe(121);
    expect(bobAcks).toEqual([]);
    expect(selfTyping).toEqual([]);
    const page = await b.room.history({ before: 100 });
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(page.hasMore).toBe(true);
    const first = await b.room.history({ before: 50, limit: 100 });
    expect(first.messages.map((m) => m.seq)).toEqual(Array.from({ length: 49 }, (_, i) => 1 + i));
    expect(first.hasMore).toBe(false);

    // A newcomer's welcome has the last 100 messages, oldest first.
    const cy = await running.product.login('Cy');
    const c = await join('c', cy.token, roomId);
    expect(c.welcome.lastSeq).toBe(121);
    expect(c.welcome.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 22 + i));

    // Leaving: the others hear `left` once the user's last connection closes.
    const left = nextEvent(a.room, 'left');
    await b.chatter.close();
    expect(await left).toEqual({ user: bob.user });
    expect([...a.chatter.violations, ...b.chatter.violations, ...c.chatter.violations]).toEqual([]);
  });

  it('resumes a dropped socket with since: nothing lost, nothing twice, unacked re-sent once', async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const roomId = await running.product.createRoom(ada.token);
    const a = await join('a', ada.token, roomId);
    const b = await join('b', bob.token, roomId);
    for (let i = 1; i <= 5; i++) await a.chatter.say(`before ${i}`);
    await eventually(() => b.chatter.lastSeq === 5, 5000, 'bob to see 5 messages');

    // Bob's network drops; Ada keeps talking; Bob sends a message that cannot go out yet.
    b.chatter.goOffline();
    await eventually(() => !b.chatter.connected, 5000, 'bob to notice');
    for (let i = 6; i <= 9; i++) await a.chatter.say(`while away ${i}`);
    await a.chatter.say('bob, are you there?');
    const yes = b.chatter.say('yes');

    // Back: the SDK resumes with since=5 and sends the waiting message once.
    const resumed = nextEvent(b.room, 'welcome', 10_000);
    b.chatter.goOnline();
    const back = await resumed;
    expect(back.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(back.lastSeq).toBe(10);
    const firstTry = await yes;
    // The same clientMsgId again (a client that lost the ack) is stored once: the same seq.
    expect((await b.room.send('yes', { clientMsgId: 'b-1' })).seq).toBe(firstTry);
    // Ada sees Bob's message once.
    await a.chatter.say('ok');
    await eventually(() => b.chatter.lastSeq === 12, 5000, 'bob to see 12 messages');
    expect([...a.chatter.messages.values()].filter((m) => m.id === 'b-1')).toHaveLength(1);
    expect([...b.chatter.messages.keys()]).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect([...a.chatter.violations, ...b.chatter.violations]).toEqual([]);

    // Hand-made resume points the SDK never asks for: at the newest seq nothing; since=0 everything.
    const s = await running.product.session(bob.token, roomId);
    const none = await RawFrameClient.join(`${s.url}?token=${encodeURIComponent(s.token)}&since=12`);
    raw.push(none.client);
    expect(none.welcome.messages).toEqual([]);
    const all = await RawFrameClient.join(`${s.url}?token=${encodeURIComponent(s.token)}&since=0`);
    raw.push(all.client);
    expect(all.welcome.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('refuses a real session token on another server or for another room', async () => {
    const ada = await running.product.login('Ada');
    const cluster = await running.product.adminCluster();
    const live = cluster.servers.filter((s) => s.alive);
    expect(live.length).toBeGreaterThanOrEqual(2);
    const roomA = await running.product.createRoom(ada.token);
    const s = await running.product.session(ada.token, roomA);
    const other = live.find((x) => x.id !== s.serverId)!;
    // Hand-made upgrades with the wrong token: the SDK only uses the token it was given for the URL it was given.
    expect(await RawFrameClient.refusal(`${other.url}?token=${encodeURIComponent(s.token)}`)).toBe(401);
    // An access token is refused by a session server.
    expect(await RawFrameClient.refusal(`${s.url}?token=${encodeURIComponent(ada.token)}`)).toBe(401);
    expect(await RawFrameClient.refusal(`${s.url}`)).toBe(401);
    // The right token still works after all that.
    const ok = await join('a', ada.token, roomA);
    expect(ok.welcome.roomId).toBe(roomA);
  });
});
