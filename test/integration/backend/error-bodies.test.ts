import { version } from '../../../package.json';
import { backendForThisFile } from '../support/test-backend';

// Every error body has statusCode, message and error, the 401 of the token guard and the 429 of the
// per-address rate limit included (both used to lack `error`); the OpenAPI document shows each
// error status with an example of its own.
const backend = backendForThisFile({ INTERNAL_SECRET: 'test-internal-secret', JWT_SECRET: 'test-jwt-secret-0123456789', HTTP_RATE_LIMIT_PER_MIN: '2' });

async function post(path: string, body: unknown, token?: string) {
  const res = await fetch(backend.base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('error bodies', () => {
  it.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-jwt'],
    ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('401 with %s has statusCode, message and error', async (_what, token) => {
    const r = await post('/api/rooms', {}, token);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
  });

  it('429 of the per-address rate limit has statusCode, message and error, and Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post('/api/login', { name: `Ada ${i}` }));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 429]);
    expect(answers[2].body).toEqual({ statusCode: 429, message: expect.stringMatching(/^Too many requests from this address/), error: 'Too Many Requests' });
    expect(Number(answers[2].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('413 of a body over the limit (raised by Fastify, not Nest) has statusCode, message and error', async () => {
    const res = await fetch(`${backend.base}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(20_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ statusCode: 413, message: expect.any(String), error: 'Payload Too Large' });
  });

  it('404 of an unknown route has statusCode, message and error', async () => {
    const res = await fetch(`${backend.base}/api/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, message: expect.any(String), error: 'Not Found' });
  });

  it('the OpenAPI document gives every error status an example of its own status, with all three fields', async () => {
    const doc = await (await fetch(`${backend.base}/docs-json`)).json();
    const seen: string[] = [];
    for (const [path, operations] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(operations)) {
        for (const [status, response] of Object.entries<any>(op.responses)) {
          // The readiness probe's 503 is the health report (Terminus' shape), not an error body.
          if (Number(status) < 400 || !response.content || path.startsWith('/health')) continue;
          const example = response.content['application/json']?.example;
          seen.push(`${method} ${path} ${status}`);
          expect({ at: `${method} ${path} ${status}`, example }).toEqual({
            at: `${method} ${path} ${status}`,
            example: { statusCode: Number(status), message: expect.anything(), error: expect.any(String) },
          });
        }
      }
    }
    expect(seen).toContain('post /api/rooms/{roomId} 404');
    expect(doc.info.version).toBe(version);
  });
});
