import type { MessageV2 } from '@app/client';
import { eventually } from '../../support/eventually';
import { chattersPerTest, nextEvent } from '../../support/sdk-chatter';
import { PRODUCT_MODES, productInMode } from '../support/product-modes';
import { RawFrameClient } from '../support/raw-frame-client';

/**
 * Version 2 on real servers, through the SDK: room names, edits, deletions, reactions and read
 * markers seen live by another person, kept by the room store, and carried through a SIGKILL of
 * the session server by the SDK's resume with `since` and `rev`.
 */
describe.each(PRODUCT_MODES)('edits, reactions and read markers, $name', (mode) => {
  const running = productInMode(mode, { SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });
  const joinRoom = chattersPerTest();

  async function createNamedRoom(token: string, name: string): Promise<string> {
    const r = await running.product.request<{ roomId: string; name: string | null }>('POST', '/api/rooms', token, { name: `  ${name} ` });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe(name);
    return r.body.roomId;
  }

  /** A person (or one more device of theirs) in the room, live. */
  const open = (name: string, token: string, roomId: string) => joinRoom(name, running.product.url, token, roomId);

  it('names the room to whoever joins by link, and passes edits, deletions, reactions and reads on live', async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const roomId = await createNamedRoom(ada.token, 'Friday standup');
    expect((await running.product.session(bob.token, roomId)).name).toBe('Friday standup');
    const a = await open('a', ada.token, roomId);
    const b = await open('b', bob.token, roomId);
    expect(b.welcome).toMatchObject({ name: 'Friday standup', rev: 0, readSeq: 0, changed: [] });

    await a.chatter.say('helo');
    await a.chatter.say('second');
    const editedSeen = nextEvent(b.room, 'edited');
    a.room.edit(1, 'hello');
    const edited = await editedSeen;
    expect(edited).toEqual({ seq: 1, text: 'hello', editedAt: expect.any(Number), rev: 3 });
    let refused = nextEvent(b.room, 'error');
    b.room.edit(1, 'hijacked');
    expect(await refused).toMatchObject({ code: 'forbidden' });
    const reaction = nextEvent(a.room, 'reaction');
    b.room.react(2, '👍', true);
    expect(await reaction).toEqual({ seq: 2, emoji: '👍', userId: bob.user.id, on: true, rev: 4 });
    refused = nextEvent(b.room, 'error');
    b.room.react(2, 'two words', true);
    expect(await refused).toMatchObject({ code: 'invalid' });
    const deleted = nextEvent(b.room, 'deleted');
    a.room.delete(2);
    expect(await deleted).toEqual({ seq: 2, rev: 5 });
    const read = nextEvent(a.room, 'read');
    b.room.read(2);
    expect(await read).toEqual({ userId: bob.user.id, seq: 2 });
    refused = nextEvent(b.room, 'error');
    b.room.edit(99, 'x');
    expect(await refused).toMatchObject({ code: 'not_found' });
    // What the SDK shows Bob follows the changes.
    expect(b.room.messages.map((m) => [m.seq, m.text, m.deleted ?? false])).toEqual([
      [1, 'hello', false],
      [2, '', true],
    ]);

    // Bob's phone opens at his marker, and sees the current state of every message.
    await eventually(
      async () => {
        const phone = await open('probe', bob.token, roomId);
        await phone.chatter.close();
        return phone.welcome.readSeq === 2;
      },
      5000,
      "bob's marker to be kept",
    );
    const phone = await open('phone', bob.token, roomId);
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
  });

  it("summarizes rooms for the lobby from the session servers' heartbeats: GET /api/rooms?ids=", async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const named = await createNamedRoom(ada.token, 'Lobby test');
    const quiet = await running.product.createRoom(ada.token);
    const a = await open('a', ada.token, named);
    const b = await open('b', bob.token, named);
    for (let i = 1; i <= 3; i++) await a.chatter.say(`m${i}`);
    type Summaries = { rooms: Array<{ roomId: string; name: string | null; kind: string; lastSeq: number; online: number; lastActivityAt: number }> };
    const ask = (ids: string, token = bob.token) => running.product.request<Summaries>('GET', `/api/rooms?ids=${ids}`, token);
    await eventually(
      async () => {
        const r = await ask(`${quiet},unknown-room-id-1,${named}`);
        expect(r.status).toBe(200);
        expect(r.body.rooms.map((x) => x.roomId)).toEqual([quiet, named]);
        const [q, n] = r.body.rooms;
        expect(q).toEqual({ roomId: quiet, name: null, kind: 'chat', lastSeq: 0, online: 0, lastActivityAt: expect.any(Number) });
        return n.name === 'Lobby test' && n.lastSeq === 3 && n.online === 2;
      },
      5000,
      'the summary to show 3 messages and 2 people online',
    );
    await b.chatter.close();
    await eventually(async () => (await ask(named)).body.rooms[0].online === 1, 5000, 'bob to go offline in the summary');

    expect((await ask(named, '')).status).toBe(401);
    for (const bad of ['', ',', `${named},,${quiet}`, `${named}%20`, Array.from({ length: 51 }, (_, i) => `room-${i}-xxxxxx`).join(',')]) {
      expect((await ask(bad)).status).toBe(400);
    }
    expect((await running.product.request('GET', '/api/rooms', bob.token)).status).toBe(400);
    expect((await ask(Array.from({ length: 50 }, () => named).join(','))).body.rooms).toHaveLength(1);
    expect(a.chatter.violations).toEqual([]);
  });

  it('refuses a malformed rev at the upgrade', async () => {
    const ada = await running.product.login('Ada');
    const roomId = await running.product.createRoom(ada.token);
    const s = await running.product.session(ada.token, roomId);
    // Hand-made upgrade URLs: the SDK never sends a malformed rev.
    expect(await RawFrameClient.refusal(`${s.url}?token=${encodeURIComponent(s.token)}&since=0&rev=-1`)).toBe(400);
    expect(await RawFrameClient.refusal(`${s.url}?token=${encodeURIComponent(s.token)}&since=0&rev=1e3`)).toBe(400);
  });

  it('carries an edit made just before a SIGKILL of the session server to the resumed client, in changed', async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const roomId = await createNamedRoom(ada.token, 'Crash test');
    const a = await open('a', ada.token, roomId);
    const b = await open('b', bob.token, roomId);
    const doomed = a.chatter.servers[0];
    for (let i = 1; i <= 3; i++) await a.chatter.say(`message ${i}`);
    // Bob has seen everything so far: his resume point (since=3, rev=3).
    await eventually(() => b.chatter.lastSeq === 3 && b.room.rev === 3, 5000, 'bob to see 3 messages');
    b.chatter.goOffline();
    await eventually(() => !b.chatter.connected, 5000, 'bob to be offline');

    // While Bob is away: an edit and a reaction, acknowledged by being broadcast to Ada (so stored).
    const edited = nextEvent(a.room, 'edited');
    a.room.edit(2, 'message 2, corrected');
    await edited;
    const reaction = nextEvent(a.room, 'reaction');
    a.room.react(1, '🎉', true);
    await reaction;
    a.room.read(3);
    await a.chatter.say('message 4');

    const pid = await running.product.sessionServerPid(doomed);
    // No wait for the read marker: its write was issued before message 4's append (SQLite: written in
    // that turn; Redis: the same connection, answered in order), so message 4's ack means it is stored.
    process.kill(pid, 'SIGKILL');
    await eventually(() => !a.chatter.connected, 5000, 'ada to notice the loss');

    // Bob comes back: the SDK resumes on a live server with since=3 and rev=3.
    const resumedWelcome = nextEvent(b.room, 'welcome', 15_000);
    b.chatter.goOnline();
    const w = await resumedWelcome;
    expect(w.resumed).toBe(true);
    expect(w.serverId).not.toBe(doomed);
    expect(w.name).toBe('Crash test');
    expect(w.rev).toBe(6);
    expect(w.messages.map((m: MessageV2) => [m.seq, m.text, m.rev])).toEqual([[4, 'message 4', 6]]);
    expect(w.changed).toEqual([
      expect.objectContaining({ seq: 1, text: 'message 1', reactions: { '🎉': [ada.user.id] }, rev: 5 }),
      expect.objectContaining({ seq: 2, text: 'message 2, corrected', editedAt: expect.any(Number), rev: 4 }),
    ]);
    // What the SDK shows Bob now: the changes applied, message 4 added, each seq once.
    expect(b.room.messages.map((m) => [m.seq, m.text])).toEqual([
      [1, 'message 1'],
      [2, 'message 2, corrected'],
      [3, 'message 3'],
      [4, 'message 4'],
    ]);
    // Ada's other device opens at her marker on the new server.
    const other = await open('other', ada.token, roomId);
    expect(other.welcome.readSeq).toBe(3);
    // And the room's rev goes on from the store's.
    const deleted = nextEvent(b.room, 'deleted');
    other.room.delete(4);
    expect(await deleted).toEqual({ seq: 4, rev: 7 });
    expect([...a.chatter.violations, ...b.chatter.violations]).toEqual([]);
  });
});
