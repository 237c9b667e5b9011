import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { createBackendApp, listenBackend } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';

// The backend as main.ts builds it, logging at info into `lines`: the request line's hook is wired,
// and Nest's own lines go through the same logger.
type Line = Record<string, any>;
const lines: Line[] = [];
let app: NestFastifyApplication;
let base: string;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const config = loadBackendConfig({
    PORT: '0',
    PROVISIONER: 'none',
    ROOM_CATALOG: 'memory',
    INTERNAL_SECRET: 'log-test-secret',
    JWT_SECRET: 'log-test-jwt-secret-0123456789',
    LOG_LEVEL: 'info',
  });
  app = await createBackendApp(config, { logDestination: sink });
  base = await listenBackend(app, config);
});

afterAll(async () => {
  await app?.close();
});

/** Lets the sink's write callbacks run. */
const flushed = () => new Promise((resolve) => setImmediate(resolve));
const requestLines = () => lines.filter((l) => l.msg === 'request completed');

it("writes Nest's own lines through the same logger", () => {
  expect(lines.some((l) => l.context === 'NestApplication' && l.level === 30)).toBe(true);
});

it('logs a refused call at info with the id echoed in x-request-id, and never the token', async () => {
  const token = 'not-a-valid-token-4f1c9e';
  const res = await fetch(`${base}/api/rooms/abc`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-log-1' } });
  expect(res.status).toBe(401);
  expect(res.headers.get('x-request-id')).toBe('trace-log-1');
  await flushed();
  const line = requestLines().find((l) => l.reqId === 'trace-log-1');
  expect(line).toMatchObject({ level: 30, req: { method: 'POST', url: '/api/rooms/abc' }, res: { statusCode: 401 } });
  expect(JSON.stringify(lines)).not.toContain(token);
});

it('logs a server error at error, and nothing for a success at info', async () => {
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada' }) });
  expect(login.status).toBe(201);
  const { token } = (await login.json()) as { token: string };
  // No session server has registered (PROVISIONER=none): creating a room is a 503.
  const res = await fetch(`${base}/api/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(503);
  await flushed();
  const id = res.headers.get('x-request-id');
  expect(requestLines().find((l) => l.reqId === id)).toMatchObject({ level: 50, req: { url: '/api/rooms' }, res: { statusCode: 503 } });
  expect(requestLines().filter((l) => l.req.url === '/api/login')).toEqual([]);
});
