import { backendForThisFile, type LogLine } from '../support/test-backend';

// Attack 5 of issue 15: a deeply nested JSON body (~2,000 levels, a few kB, no login needed) was a
// 500 with a stack trace at error level in the log. It must be a 400 with a clear message, and a
// client's mistake must leave nothing at error level in the log.
const lines: LogLine[] = [];
const backend = backendForThisFile({ LOG_LEVEL: 'info', HTTP_RATE_LIMIT_PER_MIN: '10000' }, { logLines: lines });

const post = (path: string, body: string, token?: string) =>
  fetch(backend.base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

it.each([
  ['an array under name', (n: number) => `{"name":${'['.repeat(n)}${']'.repeat(n)}}`],
  ['objects under name', (n: number) => `{"name":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`],
  ['a bare array', (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`],
])('answers 2,000 levels of %s on /api/login with 400 and logs nothing at error level', async (_label, nested) => {
  for (const depth of [1500, 2000, 2600]) {
    const res = await post('/api/login', nested(depth));
    const body = (await res.json()) as { statusCode: number; message: string; error: string };
    expect(res.status).toBe(400);
    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/nested deeper than \d+ levels/) });
  }
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
});

it('still accepts ordinary bodies and names the nesting rule for authenticated calls too', async () => {
  const login = await post('/api/login', '{"name":"Ada"}');
  expect(login.status).toBe(201);
  const { token } = (await login.json()) as { token: string };
  const res = await post('/api/rooms', `{"name":${'['.repeat(2000)}${']'.repeat(2000)}}`, token);
  expect(res.status).toBe(400);
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
});
