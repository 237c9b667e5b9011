import { backendForThisFile, type LogLine } from '../support/test-backend';

// The backend as main.ts builds it, logging at info into `lines`: the request line's hook is wired,
// and Nest's own lines go through the same logger.
const lines: LogLine[] = [];
const backend = backendForThisFile(
  { INTERNAL_SECRET: 'log-test-secret', JWT_SECRET: 'log-test-jwt-secret-0123456789', LOG_LEVEL: 'info' },
  { logLines: lines },
);

/** Lets the sink's write callbacks run. */
const flushed = () => new Promise((resolve) => setImmediate(resolve));
const requestLines = () => lines.filter((l) => l.msg === 'request completed');

it("writes Nest's own lines through the same logger", () => {
  expect(lines.some((l) => l.context === 'NestApplication' && l.level === 30)).toBe(true);
});

it('logs a refused call at info with the id echoed in x-request-id, and never the token', async () => {
  const token = 'not-a-valid-token-4f1c9e';
  const res = await fetch(`${backend.base}/api/rooms/abc`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-log-1' } });
  expect(res.status).toBe(401);
  expect(res.headers.get('x-request-id')).toBe('trace-log-1');
  await flushed();
  const line = requestLines().find((l) => l.reqId === 'trace-log-1');
  expect(line).toMatchObject({ level: 30, req: { method: 'POST', url: '/api/rooms/abc' }, res: { statusCode: 401 } });
  expect(JSON.stringify(lines)).not.toContain(token);
});

it('logs a server error at error, and nothing for a success at info', async () => {
  const login = await fetch(`${backend.base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  expect(login.status).toBe(201);
  const { token } = (await login.json()) as { token: string };
  // No session server has registered (PROVISIONER=none): creating a room is a 503.
  const res = await fetch(`${backend.base}/api/rooms`, {
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
