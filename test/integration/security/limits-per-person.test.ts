import { acquireRedisUrl, uniqueKeyPrefix } from '../../support/redis-server';
import { registerFakeSessionServer, startTestBackend, type TestBackend } from '../support/test-backend';

// Finding 4 of issue 23, "limits bind a login, not a person, and not across replicas": behind two
// backends the per-address limit was counted per replica (240 of 250 admin-secret guesses got an
// answer against a limit of 120), and logins were free, so one address multiplied every per-user
// quota by logging in again. Two replicas on one real Redis, clients told apart by X-Forwarded-For
// (TRUST_PROXY=loopback, as behind the cluster's proxy).
const SECRET = 'limits-internal-secret';
const ADMIN_SECRET = 'limits-admin-secret-0123456789';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function call(base: string, method: string, path: string, options: { from: string; token?: string; body?: unknown }): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': options.from,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
}

/** Two backend replicas sharing one Redis (its own key prefix) for the describe block; filled in beforeAll. */
function twoReplicas(label: string, env: Record<string, string>): string[] {
  const backends: TestBackend[] = [];
  const bases: string[] = [];
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const redis = await acquireRedisUrl();
    release = redis.release;
    const shared = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: uniqueKeyPrefix(label),
      JWT_SECRET: 'shared-jwt-secret-for-replicas',
      INTERNAL_SECRET: SECRET,
      ADMIN_SECRET,
      HEARTBEAT_TTL_MS: '600000',
      TRUST_PROXY: 'loopback',
      ...env,
    };
    for (let i = 0; i < 2; i++) {
      const backend = await startTestBackend(shared);
      backends.push(backend);
      bases.push(backend.base);
    }
    expect((await registerFakeSessionServer(backends[0].internal, SECRET, { serverId: `${label}-s1` })).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.app.close()));
    await release?.();
  });
  return bases;
}

describe('the per-address rate limit across two replicas', () => {
  const bases = twoReplicas('throttle', { HTTP_RATE_LIMIT_PER_MIN: '10' });

  it('answers at most the limit of admin-secret guesses from one address, whichever replica they reach', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await call(bases[i % 2], 'POST', '/api/admin/login', { from: '203.0.113.50', body: { secret: `guess-${i}` } }));
    const counts = answers.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 401: 10, 429: 20 });
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body.message).toMatch(/^Too many requests from this address: at most 10 per minute\. Try again in (\d+ seconds?|1 minute)\.$/);
    // Another address has a limit of its own.
    expect((await call(bases[1], 'POST', '/api/admin/login', { from: '203.0.113.51', body: { secret: ADMIN_SECRET } })).status).toBe(201);
  });
});

describe('new guests per address across two replicas (default 30 an hour)', () => {
  const bases = twoReplicas('guests', { HTTP_RATE_LIMIT_PER_MIN: '1000' });

  it('refuses the 31st new guest from one address on either replica with a readable 429; a returning user and other addresses are not held back', async () => {
    const from = '198.51.100.7';
    const first = await call(bases[0], 'POST', '/api/login', { from, body: { name: 'Guest 0' } });
    expect(first.status).toBe(201);
    for (let i = 1; i < 30; i++) expect((await call(bases[i % 2], 'POST', '/api/login', { from, body: { name: `Guest ${i}` } })).status).toBe(201);
    for (const base of bases) {
      const refused = await call(base, 'POST', '/api/login', { from, body: { name: 'Guest 31' } });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^Too many new guests from this address: at most 30 per hour\. Try again in (\d+ minutes?|1 hour)\.$/),
      });
      expect(Number(refused.retryAfter)).toBeGreaterThan(3500);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(3600);
    }
    // The first guest, back with their still-valid token, keeps their identity on either replica.
    for (const base of bases) {
      const back = await call(base, 'POST', '/api/login', { from, body: { name: 'Guest 0', previousToken: first.body.token } });
      expect(back.status).toBe(201);
      expect(back.body.user.id).toBe(first.body.user.id);
    }
    // A token that is not valid is no way around it.
    expect((await call(bases[1], 'POST', '/api/login', { from, body: { name: 'Guest 0', previousToken: 'not.a.token' } })).status).toBe(429);
    expect((await call(bases[1], 'POST', '/api/login', { from: '198.51.100.8', body: { name: 'Neighbour' } })).status).toBe(201);
  });
});

describe('rooms created per address across two replicas', () => {
  const bases = twoReplicas('rooms-from', { HTTP_RATE_LIMIT_PER_MIN: '1000', ROOMS_PER_ADDRESS_PER_HOUR: '5' });

  it('holds every login from one address to the address quota together, with a readable 429; another address still creates', async () => {
    const from = '192.0.2.9';
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await call(bases[i % 2], 'POST', '/api/login', { from, body: { name: `Login ${i}` } })).body.token);
    const statuses: number[] = [];
    let refused: Answer | undefined;
    for (let i = 0; i < 9; i++) {
      const r = await call(bases[i % 2], 'POST', '/api/rooms', { from, token: tokens[i % 3], body: {} });
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429]);
    expect(refused!.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many rooms created from this address: at most 5 per hour\. Try again in (\d+ minutes?|1 hour)\.$/),
    });
    expect(Number(refused!.retryAfter)).toBeGreaterThan(3500);
    // One of those users, calling from another address, is held only by their own quota (20 an hour).
    expect((await call(bases[0], 'POST', '/api/rooms', { from: '192.0.2.10', token: tokens[0], body: {} })).status).toBe(201);
  });
});
