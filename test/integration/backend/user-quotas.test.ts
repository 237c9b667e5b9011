import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { acquireRedisUrl, uniqueKeyPrefix } from '../../support/redis-server';
import { internalUrlOf, registerFakeSessionServer, startTestBackend } from '../support/test-backend';

// Quotas per user (contract: "Quotas per user"): rooms created per hour and get-or-start calls per
// minute follow the access token's `sub`; beyond them a 429 with Retry-After and a message a person
// can read. With Redis every backend replica counts in the same place.
const SECRET = 'quota-internal-secret';

const start = (env: Record<string, string>) => startTestBackend({ INTERNAL_SECRET: SECRET, HEARTBEAT_TTL_MS: '600000', ...env });

async function call(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
}

async function register(app: NestFastifyApplication): Promise<void> {
  expect((await registerFakeSessionServer(internalUrlOf(app), SECRET, { serverId: 'q1' })).status).toBeLessThan(300);
}

const login = async (base: string, name: string) => (await call(base, 'POST', '/api/login', undefined, { name })).body.token as string;

describe('per-user quotas, one backend (memory)', () => {
  let app: NestFastifyApplication;
  let base: string;
  beforeAll(async () => {
    ({ app, base } = await start({ ROOMS_PER_USER_PER_HOUR: '3', SESSIONS_PER_USER_PER_MIN: '4', HTTP_RATE_LIMIT_PER_MIN: '1000' }));
    await register(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('rooms created: the fourth in an hour is a 429 with Retry-After and a readable message; other users are not affected', async () => {
    const ada = await login(base, 'Ada');
    for (let i = 0; i < 3; i++) expect((await call(base, 'POST', '/api/rooms', ada, {})).status).toBe(201);
    const refused = await call(base, 'POST', '/api/rooms', ada, {});
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Too many rooms created: at most 3 per hour. Try again in 1 hour.' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(3590);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(3600);
    // A new login as the same person (a new token) does not reset it when it keeps the user id.
    const again = (await call(base, 'POST', '/api/login', undefined, { name: 'Ada', previousToken: ada })).body;
    expect((await call(base, 'POST', '/api/rooms', again.token, {})).status).toBe(429);
    const bob = await login(base, 'Bob');
    expect((await call(base, 'POST', '/api/rooms', bob, {})).status).toBe(201);
  });

  it('get-or-start: the fifth in a minute is a 429 with a readable message', async () => {
    const cleo = await login(base, 'Cleo');
    const roomId = (await call(base, 'POST', '/api/rooms', cleo, {})).body.roomId;
    for (let i = 0; i < 4; i++) expect((await call(base, 'POST', `/api/rooms/${roomId}`, cleo)).status).toBe(200);
    const refused = await call(base, 'POST', `/api/rooms/${roomId}`, cleo);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/^Too many rooms opened: at most 4 per minute\. Try again in (\d+ seconds?|1 minute)\.$/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
  });

  it('the per-address limit answers with a readable message too, not "ThrottlerException"', async () => {
    const { app: strict, base: strictBase } = await start({ HTTP_RATE_LIMIT_PER_MIN: '2' });
    try {
      await login(strictBase, 'A');
      await login(strictBase, 'B');
      const refused = await call(strictBase, 'POST', '/api/login', undefined, { name: 'C' });
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/^Too many requests from this address: at most 2 per minute\. Try again in (\d+ seconds?|1 minute)\.$/);
      expect(refused.retryAfter).not.toBeNull();
    } finally {
      await strict.close();
    }
  });
});

/** Two backend replicas on one private Redis for a describe block; `bases` fills in beforeAll. */
function twoReplicasSharingRedis(prefix: string, env: Record<string, string>): string[] {
  const apps: NestFastifyApplication[] = [];
  const bases: string[] = [];
  let release: () => Promise<void>;
  beforeAll(async () => {
    const redis = await acquireRedisUrl();
    release = redis.release;
    const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniqueKeyPrefix(prefix), JWT_SECRET: 'shared-jwt-secret-for-replicas', ...env };
    for (let i = 0; i < 2; i++) {
      const { app, base } = await start(shared);
      apps.push(app);
      bases.push(base);
    }
    await register(apps[0]);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await release?.();
  });
  return bases;
}

describe('per-user quotas, two replicas sharing Redis', () => {
  const bases = twoReplicasSharingRedis('quotas', { ROOMS_PER_USER_PER_HOUR: '4', SESSIONS_PER_USER_PER_MIN: '1000' });

  it('counts a user once across replicas, and shows them their rooms on either', async () => {
    const ada = await login(bases[0], 'Ada');
    const created: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(bases[i % 2], 'POST', '/api/rooms', ada, {});
      expect(r.status).toBe(201);
      created.push(r.body.roomId);
    }
    expect((await call(bases[0], 'POST', '/api/rooms', ada, {})).status).toBe(429);
    expect((await call(bases[1], 'POST', '/api/rooms', ada, {})).status).toBe(429);
    const view = (await call(bases[1], 'GET', '/api/cluster', ada)).body;
    expect(view.servers.flatMap((s: { rooms: string[] }) => s.rooms).sort()).toEqual(created.sort());
  });
});

describe('get-or-start quota, two replicas sharing Redis (counted in the placement script)', () => {
  const bases = twoReplicasSharingRedis('session-quota', { SESSIONS_PER_USER_PER_MIN: '6' });

  it('lets exactly the quota in among concurrent calls on both replicas; the refused get a readable 429; the room is in the list', async () => {
    const dana = await login(bases[0], 'Dana');
    // Created by someone else, so only Dana's get-or-start puts it in her room list.
    const roomId = (await call(bases[1], 'POST', '/api/rooms', await login(bases[1], 'Eve'), {})).body.roomId as string;
    expect((await call(bases[0], 'GET', '/api/cluster', dana)).body.servers.flatMap((s: { rooms: string[] }) => s.rooms)).toEqual([]);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(bases[i % 2], 'POST', `/api/rooms/${roomId}`, dana)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(6);
    expect(new Set(ok.map((a) => `${a.body.serverId}@${a.body.epoch}`)).size).toBe(1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/^Too many rooms opened: at most 6 per minute\. Try again in (\d+ seconds?|1 minute)\.$/);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    }
    const view = (await call(bases[0], 'GET', '/api/cluster', dana)).body;
    expect(view.servers.flatMap((s: { rooms: string[] }) => s.rooms)).toEqual([roomId]);
    // Still counted for an id of no room's shape (the 404 path counts through the quota counter).
    expect((await call(bases[1], 'POST', '/api/rooms/not-a-room-id!', dana)).status).toBe(429);
  });
});
