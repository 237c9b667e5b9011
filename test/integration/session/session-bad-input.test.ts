import { randomBytes } from 'node:crypto';
import { sendsMalformedFrames } from '../../support/frame-exemptions';
import { createSessionTokenKeys, mintSessionToken } from '../support/session-tokens';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `room-${randomBytes(8).toString('hex')}`;

/**
 * Every refused input, each followed by proof that the server (and, for frames, the same socket)
 * still serves: a rejected frame is answered with `error`, neither acked nor stored.
 */
describe('session server: bad input', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const clients: RawFrameClient[] = [];

  async function join(room = newRoomId(), sub = 'u-ann') {
    const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ sub, name: sub, room })));
    clients.push(client);
    return { client, welcome, room };
  }

  /** The server still accepts a valid session and stores a message. */
  async function stillServes() {
    const { client } = await join();
    expect(await client.say('alive', 'alive-1')).toBe(1);
  }

  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({ MAX_FRAME_BYTES: '4096', MAX_MESSAGE_LENGTH: '100' });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await env.dispose();
  });

  describe('refused at the upgrade', () => {
    const room = 'room-refused-0001';

    it.each([
      ['a missing token', () => `${server.wsUrl}/`],
      ['a garbage token', () => server.urlFor('not-a-jwt')],
      ['a forged token (other key)', () => server.urlFor(mintSessionToken(createSessionTokenKeys(), { sub: 'u', name: 'n', room, aud: server.serverId }))],
      ['an expired token', () => server.urlFor(server.token({ sub: 'u', name: 'n', room, expiresIn: -5 }))],
      ['a token for another server', () => server.urlFor(server.token({ sub: 'u', name: 'n', room, aud: 'another-server' }))],
      ['an access token', () => server.urlFor(server.token({ sub: 'u', name: 'n', room, typ: 'access' }))],
    ])('%s: HTTP 401', async (_label, url) => {
      expect(await RawFrameClient.refusal(url())).toBe(401);
      await stillServes();
    });

    it.each(['-1', 'abc', '1.5', ''])('a bad since (%p): HTTP 400, or ignored when empty', async (since) => {
      const url = `${server.urlFor(server.token({ sub: 'u', name: 'n', room: newRoomId() }))}&since=${since}`;
      if (since === '') {
        const { client } = await RawFrameClient.join(url);
        client.terminate();
      } else {
        expect(await RawFrameClient.refusal(url)).toBe(400);
      }
      await stillServes();
    });
  });

  describe('rejected frames keep the socket open', () => {
    async function expectError(send: (c: RawFrameClient) => void, code: string) {
      const { client } = await join();
      send(sendsMalformedFrames(client));
      const error = await client.next('error');
      expect(error).toEqual({ code, message: expect.any(String) });
      // Same socket still works, and the rejected frame was neither stored nor acked.
      expect(await client.say('valid', 'after-error')).toBe(1);
      expect(client.all('ack')).toEqual([{ clientMsgId: 'after-error', seq: 1 }]);
      expect(client.all('message').map((m) => m.text)).toEqual(['valid']);
    }

    it('non-JSON: bad_json', () => expectError((c) => c.sendRaw('{"event": "send", '), 'bad_json'));
    it('a JSON array: bad_frame', () => expectError((c) => c.sendRaw('[1,2]'), 'bad_frame'));
    it('a JSON string: bad_frame', () => expectError((c) => c.sendRaw('"send"'), 'bad_frame'));
    it('no event: bad_frame', () => expectError((c) => c.sendRaw('{"data":{}}'), 'bad_frame'));
    it('data not an object: bad_frame', () => expectError((c) => c.sendRaw('{"event":"send","data":"hi"}'), 'bad_frame'));
    it('a binary frame: bad_frame', () => expectError((c) => c.sendRaw(Buffer.from('{"event":"typing","data":{}}')), 'bad_frame'));
    it('unknown event: unknown_event', () => expectError((c) => c.send('shout', {}), 'unknown_event'));
    it('empty text: invalid', () => expectError((c) => c.send('send', { text: '', clientMsgId: 'x' }), 'invalid'));
    it('whitespace-only text: invalid', () => expectError((c) => c.send('send', { text: ' \n\t ', clientMsgId: 'x' }), 'invalid'));
    it('control characters: invalid', () => expectError((c) => c.send('send', { text: 'bell\u0007', clientMsgId: 'x' }), 'invalid'));
    it('text not a string: invalid', () => expectError((c) => c.send('send', { text: 42, clientMsgId: 'x' }), 'invalid'));
    it('missing clientMsgId: invalid', () => expectError((c) => c.send('send', { text: 'hi' }), 'invalid'));
    it('clientMsgId too long: invalid', () => expectError((c) => c.send('send', { text: 'hi', clientMsgId: 'x'.repeat(65) }), 'invalid'));
    it('text too long: too_long', () => expectError((c) => c.send('send', { text: 'é'.repeat(101), clientMsgId: 'x' }), 'too_long'));
    it('history without before: invalid', () => expectError((c) => c.send('history', {}), 'invalid'));
    it('history with before 0: invalid', () => expectError((c) => c.send('history', { before: 0 }), 'invalid'));
    it('history with limit 101: invalid', () => expectError((c) => c.send('history', { before: 5, limit: 101 }), 'invalid'));
    it('history with a fractional limit: invalid', () => expectError((c) => c.send('history', { before: 5, limit: 1.5 }), 'invalid'));
    it('typing with data: invalid', () => expectError((c) => c.send('typing', { text: 'x' }), 'invalid'));

    it('accepts text of exactly the maximum length in code points (astral characters count once)', async () => {
      const { client } = await join();
      expect(await client.say('🎉'.repeat(100), 'max')).toBe(1);
    });
  });

  it('closes the socket with 1009 on a frame larger than MAX_FRAME_BYTES, and serves others', async () => {
    const { client } = await join();
    client.send('send', { text: 'x'.repeat(5000), clientMsgId: 'big' });
    expect((await client.closed).code).toBe(1009);
    await stillServes();
  });

  it('answers a flood with rate_limited, then closes with 4429 after 50 rejected in a row', async () => {
    const { client, room } = await join();
    const { client: other } = await join(room, 'u-other');
    for (let i = 0; i < 200; i++) client.send('typing', {});
    expect((await client.closed).code).toBe(4429);
    const errors = client.all('error');
    expect(errors.length).toBeGreaterThanOrEqual(49);
    expect(errors.every((e) => e.code === 'rate_limited')).toBe(true);
    // The room and the other member are unaffected.
    expect(await other.say('after the flood', 'f-1')).toBe(1);
    await stillServes();
  });
});
