import { HEARTBEAT_PATH, INTERNAL_SECRET_HEADER } from '@app/shared';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { backendForThisFile, registerFakeSessionServer } from '../support/test-backend';

// Thousands of malformed HTTP bodies against the real backend: each gets a clear 4xx in Nest's error
// shape (never a 5xx, a hang or a stack trace), and the server keeps serving well-formed calls.
const SECRET = 'fuzz-internal-secret';
const backend = backendForThisFile({
  INTERNAL_SECRET: SECRET,
  HTTP_RATE_LIMIT_PER_MIN: '100000',
  GUESTS_PER_ADDRESS_PER_HOUR: '0',
  ROOMS_PER_ADDRESS_PER_HOUR: '0',
  ROOMS_PER_USER_PER_HOUR: '100000',
  SESSIONS_PER_USER_PER_MIN: '100000',
  HEARTBEAT_TTL_MS: '600000',
});
let token: string;

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return Math.floor(r() * 1e18) * (r() < 0.5 ? -1 : 1);
    case 3:
      return 1e308 * 10; // Infinity: serialised as null
    case 4:
      return 'x'.repeat(Math.floor(r() * 70));
    case 5:
      return String.fromCharCode(...Array.from({ length: 10 }, () => Math.floor(r() * 0xffff)));
    case 6:
      return depth > 4 ? [] : Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 7:
      return depth > 4 ? {} : { name: randomValue(r, depth + 1), extra: randomValue(r, depth + 1) };
    case 8:
      return '\u0000\u0007\u001b';
    case 9:
      return '   ';
    case 10:
      return '😀'.repeat(Math.floor(r() * 40));
    default:
      return { nested: { deeper: [1, 2, { name: 'x' }] } };
  }
}

function randomBody(r: () => number): string {
  const kind = Math.floor(r() * 8);
  switch (kind) {
    case 0:
      return JSON.stringify(randomValue(r));
    case 1:
      return JSON.stringify({ name: randomValue(r) });
    case 2:
      return '{"name":"ok","__proto__":{"polluted":true}}';
    case 3:
      return '{"name":"ok","constructor":{"prototype":{"polluted":true}}}';
    case 4:
      return '{"name":' + '['.repeat(500) + ']'.repeat(500) + '}';
    case 5:
      return '{"name": "unterminated';
    case 6:
      return JSON.stringify({ name: 'x'.repeat(20_000) }); // above the 16 kB body limit
    default:
      return Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))).toString('latin1');
  }
}

beforeAll(async () => {
  await registerFakeSessionServer(backend.internal, SECRET, { serverId: 's1', capacity: 100000 });
  token = (
    (await (await fetch(backend.base + '/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Fuzz"}' })).json()) as {
      token: string;
    }
  ).token;
});

/** A real full GC, so heap figures compare live memory and not garbage waiting to be collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

it('answers 4,000 malformed bodies with clear 4xx errors, keeps serving, and does not grow', async () => {
  const r = rng(42);
  const targets = [
    { path: '/api/login', auth: false },
    { path: '/api/rooms', auth: true },
    { path: HEARTBEAT_PATH, auth: false, internal: true },
  ];
  const statuses = new Map<number, number>();
  const heapAfter: number[] = [];
  for (let i = 0; i < 4000; i += 50) {
    // Heap after the first and the last thousand: whatever warms up does so in the first.
    if (i === 1000 || i === 3950) {
      collectGarbage();
      heapAfter.push(process.memoryUsage().heapUsed);
    }
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const t = targets[Math.floor(r() * targets.length)];
        const body = randomBody(r);
        const res = await fetch((t.internal ? backend.internal : backend.base) + t.path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(t.auth ? { authorization: `Bearer ${token}` } : {}),
            ...(t.internal ? { [INTERNAL_SECRET_HEADER]: SECRET } : {}),
          },
          body,
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`5xx for ${t.path} with body ${body.slice(0, 200)}: ${text.slice(0, 300)}`);
        if (res.status >= 400) {
          const err = JSON.parse(text);
          expect(err).toEqual(expect.objectContaining({ statusCode: res.status, message: expect.anything() }));
          expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack trace
        }
      }),
    );
  }
  // Almost everything is refused; a random body may now and then be a valid login or room.
  const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
  expect(refused).toBeGreaterThan(3400);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();

  // Still serving.
  const ok = await fetch(backend.base + '/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  expect(ok.status).toBe(201);
  // No growth without bound: a leak of 4 kB per request over these 2,950 would show as 12 MB.
  expect(heapAfter[1] - heapAfter[0]).toBeLessThan(8 * 1024 * 1024);
});

it('echoes a request id, or makes one', async () => {
  const given = await fetch(backend.base + '/health/live', { headers: { 'x-request-id': 'trace-123' } });
  expect(given.headers.get('x-request-id')).toBe('trace-123');
  const made = await fetch(backend.base + '/health/live');
  expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('sends security headers (helmet) and no CORS grant to a foreign origin by default', async () => {
  const res = await fetch(backend.base + '/health/live', { headers: { origin: 'http://evil.test' } });
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toContain("connect-src 'self' ws: wss:");
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
});
