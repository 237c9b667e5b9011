import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { SessionMetrics } from '../../../apps/session/src/metrics/session-metrics';
import { RoomsService } from '../../../apps/session/src/rooms/rooms.service';
import { eventually } from '../../support/eventually';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';
import { sampleValue, scrape } from '../session/prometheus-text';

const MESSAGES = 2000;
// Well above what a healthy member lags by even on a loaded machine (the sender and the reader run
// in this test's process: at 64 KiB, 16 messages, they were cut off too under CPU load), and far
// below what the paused member piles up once its kernel buffers (~4 MB) are full.
const SEND_BUFFER_LIMIT = 512 * 1024;

/**
 * A member that stops reading must not slow its room: once its send buffer passes
 * SEND_BUFFER_LIMIT_BYTES the server closes it with 1013 and everyone else keeps getting every
 * message. The paused client cannot read the close frame while paused, so the server side is
 * checked through its metrics and room state, and the client sees 1013 once it reads again.
 */
describe('session server: slow consumer', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const clients: RawFrameClient[] = [];

  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({
      ROOM_STORE: 'memory',
      SEND_BUFFER_LIMIT_BYTES: String(SEND_BUFFER_LIMIT),
      RATE_PER_SECOND: '100000',
      RATE_BURST: '100000',
      RESUME_LIMIT: '100',
    });
  });

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await env.dispose();
  });

  async function join(room: string, sub: string) {
    const { client } = await RawFrameClient.join(server.urlFor(server.token({ sub, name: sub, room })));
    clients.push(client);
    return client;
  }

  it('closes a member that stops reading with 1013, while the others get every message in time', async () => {
    const room = `room-${randomBytes(8).toString('hex')}`;
    const sender = await join(room, 'sender');
    const reader = await join(room, 'reader');
    const slow = await join(room, 'slow');
    await sender.next('joined');
    await sender.next('joined');
    await reader.next('joined');
    // Stop reading: the kernel buffers fill, then the server's send buffer for this socket grows.
    const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();

    // Near the longest message (4,000 code points): the kernel's socket buffers fill after a few MB.
    const text = (i: number) => `${i} ${'m'.repeat(3990)}`;
    let delivered = 0;
    let acked = 0;
    let inOrder = true;
    reader.socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event === 'message') inOrder &&= frame.data.id === `s-${++delivered}`;
    });
    // The sender keeps at most WINDOW messages unacknowledged, as a real client does: one that blasts
    // 8 MB without reading its own echoes is itself a slow consumer (and was cut off under load).
    const WINDOW = 32;
    let sent = 0;
    const pump = () => {
      while (sent < MESSAGES && sent - acked < WINDOW) {
        sent++;
        sender.send('send', { text: text(sent), clientMsgId: `s-${sent}` });
      }
    };
    sender.socket.on('message', (raw) => {
      if (JSON.parse(raw.toString()).event === 'ack') {
        acked++;
        pump();
      }
    });

    const started = Date.now();
    pump();
    await eventually(() => delivered === MESSAGES && acked === MESSAGES, 10_000, `all ${MESSAGES} messages delivered and acked`);
    const elapsed = Date.now() - started;
    expect(inOrder).toBe(true);
    expect(elapsed).toBeLessThan(10_000);

    // Server side: the slow socket was closed with 1013 and left the room; the others are still in it.
    const metrics = server.app.get(SessionMetrics);
    expect(metrics.slowConsumerCloses).toBe(1);
    expect(sampleValue(await scrape(server.httpUrl), 'rooms_session_slow_consumer_closes_total')).toBe(1);
    expect(reader.all('left')).toEqual([{ user: { id: 'slow', name: 'slow' } }]);
    expect(sender.isOpen && reader.isOpen).toBe(true);

    // Reading again, the client drains what was buffered and then gets the close frame: 1013.
    tcp.resume();
    expect((await slow.closed).code).toBe(1013);
    await eventually(() => server.app.get(RoomsService).connectionCount === 2, 5000, 'slow socket gone');
    // The room is still fine for the others.
    expect(await sender.say('still here', 'after')).toBe(MESSAGES + 1);
  });
});
