import { randomBytes } from 'node:crypto';
import { sendsMalformedFrames } from '../../support/frame-exemptions';
import { RawFrameClient } from '../support/raw-frame-client';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';

const LONE_SURROGATE = /must be well-formed Unicode: it holds a lone surrogate/;

/**
 * Issue 23, finding 6: a `clientMsgId` with a lone surrogate ("\ud800" in JSON) was stored as U+FFFD
 * by SQLite, so after a reload its re-send no longer matched and the message was stored twice. Text
 * that is not well-formed UTF-16 is now refused with `invalid` naming the field, so it is never
 * stored at all; a well-formed id (astral characters included) still de-duplicates across a reload.
 */
describe('session server on SQLite: text must be well-formed UTF-16', () => {
  let env: SessionTestEnv;
  const clients: RawFrameClient[] = [];
  const serverEnv = { SERVER_ID: 'it-well-formed', ROOM_STORE: 'sqlite' };

  async function join(server: TestSessionServer, room: string, since?: number) {
    const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ sub: 'u-ann', name: 'Ann', room }), since));
    clients.push(client);
    return { client, welcome };
  }

  beforeAll(async () => {
    env = await createSessionTestEnv();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await env.dispose();
  });

  it('refuses a lone-surrogate clientMsgId before and after a reload from SQLite, and never stores it', async () => {
    const room = `room-${randomBytes(8).toString('hex')}`;
    let server = await env.start(serverEnv);
    let { client } = await join(server, room);
    expect(await client.say('astral id', 'id-😀')).toBe(1);
    client.send('send', { text: 'hello', clientMsgId: 'id-\ud800' });
    expect(await client.next('error')).toEqual({ code: 'invalid', message: expect.stringMatching(/^clientMsgId must be well-formed Unicode/) });

    // The server restarts on the same SQLite file: the room is read back from disk.
    client.terminate();
    await server.close();
    server = await env.start(serverEnv);
    ({ client } = await join(server, room, 0));
    client.send('send', { text: 'hello', clientMsgId: 'id-\ud800' });
    expect(await client.next('error')).toEqual({ code: 'invalid', message: expect.stringMatching(LONE_SURROGATE) });
    // The well-formed one is recognised after the reload: acked with its first seq, not stored again.
    client.send('send', { text: 'astral id', clientMsgId: 'id-😀' });
    expect(await client.next('ack')).toEqual({ clientMsgId: 'id-😀', seq: 1 });
    expect(await client.say('after', 'after-1')).toBe(2);

    const { welcome } = await join(server, room, 0);
    expect(welcome.messages.map((m: { id: string; seq: number }) => [m.seq, m.id])).toEqual([
      [1, 'id-😀'],
      [2, 'after-1'],
    ]);
    expect(client.all('error')).toHaveLength(1);
  });

  it.each([
    ['send text', 'send', { text: 'broken \udc00 text', clientMsgId: 'ok-1' }, /^text must/],
    ['edit text', 'edit', { seq: 1, text: '\ud83d edited' }, /^text must/],
    ['react emoji', 'react', { seq: 1, emoji: '\ud83d', on: true }, /^emoji must/],
  ])('refuses a lone surrogate in the %s with invalid naming the field', async (_label, event, data, field) => {
    const room = `room-${randomBytes(8).toString('hex')}`;
    const server = await env.start({ ...serverEnv, SERVER_ID: `it-well-formed-${event}` });
    const { client } = await join(server, room);
    expect(await client.say('first', 'first-1')).toBe(1);
    client.send(event, data);
    const error = await client.next('error');
    expect(error).toEqual({ code: 'invalid', message: expect.stringMatching(LONE_SURROGATE) });
    expect(error.message).toMatch(field);
    expect(await client.say('still served', 'second-1')).toBe(2);
    await server.close();
  });

  it('names an unknown event in well-formed text, even one with a lone surrogate or cut through a pair', async () => {
    const server = await env.start({ ...serverEnv, SERVER_ID: 'it-well-formed-unknown' });
    const { client } = await join(server, `room-${randomBytes(8).toString('hex')}`);
    sendsMalformedFrames(client);
    client.send('\ud800', {});
    expect(await client.next('error')).toEqual({ code: 'unknown_event', message: 'unknown event "\ufffd"' });
    client.send(`${'a'.repeat(31)}😀tail`, {});
    expect(await client.next('error')).toEqual({ code: 'unknown_event', message: `unknown event "${'a'.repeat(31)}\ufffd…"` });
    await server.close();
  });
});
