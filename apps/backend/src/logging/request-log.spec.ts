import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Level } from 'pino';
import { Writable } from 'node:stream';
import { logRequests } from './request-log';

/** A Fastify server on loopback whose request lines land in `lines`. */
async function serverLoggingAt(level: Level): Promise<{ base: string; lines: Record<string, unknown>[]; app: FastifyInstance }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify();
  logRequests(app, pino({ level }, sink));
  app.post('/api/rooms/:roomId', async (request) => ({ id: request.id }));
  app.get('/api/fail', async (_request, reply) => reply.code(503).send({ message: 'no capacity' }));
  app.get('/health', async (_request, reply) => reply.code(503).send({ status: 'error' }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, lines, app };
}

/** Lets the sink's write callbacks run (pino writes to a plain stream asynchronously). */
const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('logRequests', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('writes nothing for a success at the default level (warn), and nothing for a health probe', async () => {
    const s = await serverLoggingAt('warn');
    app = s.app;
    expect((await fetch(`${s.base}/api/rooms/r1`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${s.base}/health`)).status).toBe(503);
    await flushed();
    expect(s.lines).toEqual([]);
  });

  it("logs a server error at error with the request's id, method, URL, status and time", async () => {
    const s = await serverLoggingAt('warn');
    app = s.app;
    const res = await fetch(`${s.base}/api/fail`, { headers: { authorization: 'Bearer secret-token' } });
    expect(res.status).toBe(503);
    await flushed();
    expect(s.lines).toHaveLength(1);
    const line = s.lines[0];
    expect(line).toMatchObject({ level: 50, msg: 'request completed', req: { method: 'GET', url: '/api/fail' }, res: { statusCode: 503 } });
    expect(typeof line.reqId).toBe('string');
    expect(line.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(line)).not.toContain('secret-token');
  });

  it('logs every request at debug, each with its own id', async () => {
    const s = await serverLoggingAt('debug');
    app = s.app;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${s.base}/api/rooms/r${i}`, { method: 'POST' });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await flushed();
    expect(s.lines.map((l) => [l.level, l.reqId, (l.req as { url: string }).url])).toEqual([
      [20, ids[0], '/api/rooms/r0'],
      [20, ids[1], '/api/rooms/r1'],
    ]);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
