import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { LoopTurnOutbox } from './write-coalescer';

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
    expect(received).toEqual(['one|two|']); // one write, so one read on the other side
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

  it('leaves a socket that someone else corked alone', async () => {
    const outbox = new LoopTurnOutbox();
    pair.local.cork();
    outbox.hold(pair.local);
    expect(pair.local.writableCorked).toBe(1);
    await nextCheckPhase();
    expect(pair.local.writableCorked).toBe(1); // not ours to uncork
    pair.local.uncork();
  });
});

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
