import { CloseCode } from '@app/shared';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

// Attack 4 of issue 15: the frame limit was per socket, so reconnecting after each 4429 put 246
// messages a second into a room against the documented 10, and 2,000 sockets on one session token
// were accepted. Now the budget (10/s, burst 40) is per user per room, summed over that user's
// sockets and kept across reconnects, and a user has at most 5 sockets in a room.
const RATE = 10;
const BURST = 40;

describe('limits per user, not per socket', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({ ROOM_STORE: 'memory' });
  });
  afterAll(async () => {
    await env?.dispose();
  });

  it('a user reconnecting after every 4429 still gets about 10 messages a second into the room', async () => {
    const token = server.token({ sub: 'flooder', name: 'Flooder', room: 'flood-room' });
    const watcher = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'watcher', name: 'Watcher', room: 'flood-room' })));
    await watcher.next('welcome');
    const seconds = 4;
    const started = Date.now();
    let sockets = 0;
    let n = 0;
    while (Date.now() - started < seconds * 1000) {
      const c = await RawFrameClient.connect(server.urlFor(token));
      sockets++;
      await c.next('welcome');
      // Flood until the server closes the socket (4429), as the attacker did, then reconnect.
      while (c.isOpen && Date.now() - started < seconds * 1000) {
        for (let i = 0; i < 60 && c.isOpen; i++) c.send('send', { text: `m${n}`, clientMsgId: `f-${n++}` });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      c.socket.close();
      await c.closed;
    }
    const elapsed = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const accepted = watcher.all('message').filter((m) => m.userId === 'flooder').length;
    console.log(
      `frame flood: ${accepted} messages in ${elapsed.toFixed(1)} s over ${sockets} sockets = ${(accepted / elapsed).toFixed(1)}/s (limit ${RATE}/s, burst ${BURST})`,
    );
    expect(accepted).toBeLessThanOrEqual(BURST + RATE * elapsed + 2);
    expect(accepted).toBeGreaterThanOrEqual(BURST);
    watcher.socket.close();
  });

  it('one user gets at most 5 sockets in a room: the sixth and later are closed with 4429', async () => {
    const token = server.token({ sub: 'hoarder', name: 'Hoarder', room: 'hoard-room' });
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawFrameClient.connect(server.urlFor(token))));
    const outcomes = await Promise.all(
      clients.map((c) =>
        c.next('welcome', 3000).then(
          () => 'open',
          () => c.closed.then((close) => close.code),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'open')).toHaveLength(5);
    expect(outcomes.filter((o) => o === CloseCode.RateLimited)).toHaveLength(15);
    // Another user, and the same user in another room, are not affected.
    const other = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'someone', name: 'Someone', room: 'hoard-room' })));
    await other.next('welcome');
    const elsewhere = await RawFrameClient.connect(server.urlFor(server.token({ sub: 'hoarder', name: 'Hoarder', room: 'other-room' })));
    await elsewhere.next('welcome');
    // A closed socket frees its place.
    const open = clients.filter((c) => c.isOpen);
    open[0].socket.close();
    await open[0].closed;
    const again = await RawFrameClient.connect(server.urlFor(token));
    await again.next('welcome');
    for (const c of [...clients, other, elsewhere, again]) c.socket.close();
  });
});
