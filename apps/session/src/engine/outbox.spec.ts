import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { HOLD_LIMIT_BYTES, LoopTurnOutbox } from './outbox';

/** A real loopback TCP pair: `local` is written to, `peer` reads what the OS delivered. */
async function socketPair(): Promise<{ server: Server; local: Socket; peer: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection');
  const local = connect(port, '127.0.0.1');
  await once(local, 'connect');
  const [peer] = (await accepted) as [Socket];
  return { server, local, peer };
}

const nextCheckPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LoopTurnOutbox', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  let received: string[];

  beforeEach(async () => {
    pair = await socketPair();
    received = [];
    pair.peer.on('data', (chunk: Buffer) => received.push(chunk.toString()));
  });

  afterEach(async () => {
    pair.local.destroy();
    pair.peer.destroy();
    await new Promise((resolve) => pair.server.close(resolve));
  });

  it('keeps a socket’s writes of this turn in its buffer and sends them together in the check phase', async () => {
    const outbox = new LoopTurnOutbox();
    outbox.hold(pair.local);
    pair.local.write('one|');
    outbox.hold(pair.local); // already held: no second cork
    pair.local.write('two|');
    expect(pair.local.writableCorked).toBe(1);
    expect(pair.local.writableLength).toBe(8); // nothing handed to the OS yet

    await nextCheckPhase();
    expect(pair.local.writableCorked).toBe(0);
    expect(pair.local.writableLength).toBe(0);
    await waitFor(() => received.join('') === 'one|two|');
  });

  it('sends what it holds once past HOLD_LIMIT_BYTES, and goes on holding', async () => {
    const outbox = new LoopTurnOutbox();
    const big = 'x'.repeat(HOLD_LIMIT_BYTES);
    outbox.hold(pair.local);
    pair.local.write(big);
    expect(pair.local.writableLength).toBe(HOLD_LIMIT_BYTES);
    outbox.hold(pair.local);
    expect(pair.local.writableLength).toBeLessThan(HOLD_LIMIT_BYTES); // handed to the OS
    expect(pair.local.writableCorked).toBe(1);
    pair.local.write('tail');
    expect(pair.local.writableLength).toBeGreaterThanOrEqual(4);
    await nextCheckPhase();
    await waitFor(() => received.join('').length === HOLD_LIMIT_BYTES + 4);
    expect(received.join('').endsWith('xtail')).toBe(true);
  });

  it('holds again in a later turn', async () => {
    const outbox = new LoopTurnOutbox();
    outbox.hold(pair.local);
    pair.local.write('a');
    await nextCheckPhase();
    outbox.hold(pair.local);
    pair.local.write('b');
    expect(pair.local.writableCorked).toBe(1);
    await nextCheckPhase();
    await waitFor(() => received.join('') === 'ab');
  });

  it('loses nothing when the socket is ended while held, and the flush after it is harmless', async () => {
    const outbox = new LoopTurnOutbox();
    outbox.hold(pair.local);
    pair.local.write('last words');
    pair.local.end();
    await once(pair.peer, 'end');
    expect(received.join('')).toBe('last words');
    await nextCheckPhase();
  });

  it('drops what a turn held when the socket is destroyed, and the flush after it is harmless', async () => {
    const outbox = new LoopTurnOutbox();
    outbox.hold(pair.local);
    pair.local.write('never sent');
    pair.local.destroy();
    await nextCheckPhase();
    await once(pair.peer, 'close');
    expect(received.join('')).toBe('');
  });

  it('adds no cork to a socket that someone else corked', () => {
    const outbox = new LoopTurnOutbox();
    pair.local.cork();
    outbox.hold(pair.local);
    expect(pair.local.writableCorked).toBe(1);
    pair.local.uncork();
  });
});

describe('the transport the gateway hands to rooms', () => {
  it('is the socket ws writes to: the upgrade request’s', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const connected = once(server, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    const [[ws, req]] = (await Promise.all([connected, once(client, 'open')])) as [[WebSocket, { socket: unknown }], unknown];
    expect(req.socket).toBe((ws as unknown as { _socket: unknown })._socket);
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
});

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
