import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

// Ping/pong liveness: a connection that misses two pongs in a row is closed and its `left` sent, so
// a vanished client holds no presence or slot (contract: "Liveness, moves and admission"). A short
// PING_INTERVAL_MS here; 15 s by default.
const PING_MS = 150;

describe('ping/pong liveness', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({ ROOM_STORE: 'memory', PING_INTERVAL_MS: String(PING_MS) });
  });
  afterAll(async () => {
    await env?.dispose();
  });

  it('closes a client that stops answering pings and tells the others it left; answering clients stay', async () => {
    const ada = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'ada', name: 'Ada', room: 'live-room' })));
    await ada.next('welcome');
    // A client whose pongs never come: ws's autoPong off is what a vanished peer looks like.
    const ghost = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'ghost', name: 'Ghost', room: 'live-room' })), { autoPong: false });
    await ghost.next('welcome');
    expect((await ada.next('joined')).user.id).toBe('ghost');
    let pings = 0;
    ghost.socket.on('ping', () => pings++);

    const started = Date.now();
    const left = await ada.next('left', PING_MS * 10);
    const after = Date.now() - started;
    expect(left.user).toEqual({ id: 'ghost', name: 'Ghost' });
    expect((await ghost.closed).code).toBe(1006);
    expect(pings).toBe(2);
    expect(after).toBeGreaterThanOrEqual(PING_MS * 2);
    expect(after).toBeLessThan(PING_MS * 3 + 500);

    // Ada answers (autoPong) and is still there many intervals later.
    await new Promise((resolve) => setTimeout(resolve, PING_MS * 6));
    expect(ada.isOpen).toBe(true);
    ada.send('send', { text: 'still here', clientMsgId: 'live-1' });
    expect((await ada.next('ack')).clientMsgId).toBe('live-1');
    ada.socket.close();
  });

  it('a paused client (TCP open, reading nothing) is closed as well', async () => {
    const ada = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'ada', name: 'Ada', room: 'live-room-2' })));
    await ada.next('welcome');
    const paused = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'pause', name: 'Pause', room: 'live-room-2' })));
    await paused.next('welcome');
    await ada.next('joined');
    paused.socket.pause();
    const left = await ada.next('left', PING_MS * 10);
    expect(left.user.id).toBe('pause');
    paused.socket.terminate();
    ada.socket.close();
  });
});
