import { HEARTBEAT_PATH, INTERNAL_SECRET_HEADER, SessionHeartbeat } from '@app/shared';
import { JwtService } from '@nestjs/jwt';
import { backendForThisFile } from '../support/test-backend';

// The backend on a real HTTP port with no session process of its own (PROVISIONER=none): session
// servers are played by heartbeats this test sends, as an orchestrator's replicas would.
const SECRET = 'test-internal-secret';
const JWT_SECRET = 'test-jwt-secret-0123456789';
const backend = backendForThisFile({ INTERNAL_SECRET: SECRET, JWT_SECRET, HEARTBEAT_TTL_MS: '60000' });

async function api(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}, base = backend.base) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

async function login(name = 'Ada'): Promise<string> {
  const r = await api('POST', '/api/login', { name });
  expect(r.status).toBe(201);
  return r.body.token;
}

function heartbeat(hb: Partial<SessionHeartbeat> & { serverId: string }, secret = SECRET) {
  const body = { url: `ws://127.0.0.1:1/${hb.serverId}`, capacity: 2, rooms: [], connections: 0, draining: false, ...hb };
  return api('POST', HEARTBEAT_PATH, body, undefined, { [INTERNAL_SECRET_HEADER]: secret }, backend.internal);
}

describe('health before any session server', () => {
  it('is not ready (503) until a session server registers', async () => {
    const r = await api('GET', '/health');
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('error');
    expect((await api('GET', '/health/live')).status).toBe(200);
  });

  it('answers 503 to room creation when no server has capacity anywhere', async () => {
    const r = await api('POST', '/api/rooms', {}, await login());
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });
});

describe('POST /api/login', () => {
  it('returns a token and a user for a valid name, trimmed', async () => {
    const r = await api('POST', '/api/login', { name: '  Grace  ' });
    expect(r.status).toBe(201);
    expect(r.body.user.name).toBe('Grace');
    expect(r.body.user.id).toMatch(/^u_/);
    expect(typeof r.body.token).toBe('string');
  });

  it('accepts 32 code points of astral characters', async () => {
    expect((await api('POST', '/api/login', { name: '😀'.repeat(32) })).status).toBe(201);
  });

  it.each([
    ['empty', { name: '' }, /must not be empty/],
    ['only spaces', { name: '   ' }, /must not be empty/],
    ['too long', { name: 'x'.repeat(33) }, /at most 32/],
    ['control character', { name: 'a\u0007b' }, /control characters/],
    ['a line feed', { name: 'a\nb' }, /control characters/],
    ['not a string', { name: 42 }, /string/],
    ['missing', {}, /string/],
    ['an unknown property', { name: 'Ada', admin: true }, /should not exist/],
    ['a __proto__ key', '{"name":"Ada","__proto__":{"admin":true}}', /__proto__/],
  ])('refuses %s with 400 and the rule', async (_label, body, rule) => {
    const r = await api('POST', '/api/login', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Bad Request');
    expect(JSON.stringify(r.body.message)).toMatch(rule);
  });

  it('refuses malformed JSON with 400', async () => {
    const r = await api('POST', '/api/login', '{"name":');
    expect(r.status).toBe(400);
    expect(r.body.statusCode).toBe(400);
  });
});

describe('room creation, placement and tokens', () => {
  beforeAll(async () => {
    expect((await heartbeat({ serverId: 'a' })).status).toBe(200);
    expect((await heartbeat({ serverId: 'b' })).status).toBe(200);
  });

  it('is ready once a session server registered', async () => {
    const r = await api('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
  });

  it('refuses a heartbeat with a wrong secret or a bad body', async () => {
    expect((await heartbeat({ serverId: 'x' }, 'wrong-secret-value!')).status).toBe(401);
    const bad = await api(
      'POST',
      HEARTBEAT_PATH,
      { serverId: 'x', url: 'http://nope', capacity: 0 },
      undefined,
      { [INTERNAL_SECRET_HEADER]: SECRET },
      backend.internal,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, message: "heartbeat must have required property 'rooms'" });
  });

  it('takes heartbeats only on the internal listener: the public port answers 404, even with the secret', async () => {
    const beat = { serverId: 'public-x', url: 'ws://127.0.0.1:1/public-x', capacity: 2, rooms: [], connections: 0, draining: false };
    expect((await api('POST', HEARTBEAT_PATH, beat, undefined, { [INTERNAL_SECRET_HEADER]: SECRET })).status).toBe(404);
    expect(new URL(backend.internal).port).not.toBe(String(backend.port));
    // Nothing of the public API answers on the internal listener.
    expect((await api('POST', '/api/login', { name: 'Ada' }, undefined, { [INTERNAL_SECRET_HEADER]: SECRET }, backend.internal)).status).toBe(404);
  });

  it('needs an access token', async () => {
    expect((await api('POST', '/api/rooms', {})).status).toBe(401);
    expect((await api('POST', '/api/rooms', {}, 'not.a.jwt')).status).toBe(401);
    const forged = new JwtService({ secret: 'another-secret-0123456789' }).sign({ typ: 'access', sub: 'u_x', name: 'X' });
    expect((await api('POST', '/api/rooms', {}, forged)).status).toBe(401);
    const expired = new JwtService({ secret: JWT_SECRET }).sign({ typ: 'access', sub: 'u_x', name: 'X' }, { expiresIn: -10 });
    expect((await api('POST', '/api/rooms', {}, expired)).status).toBe(401);
    const wrongType = new JwtService({ secret: JWT_SECRET }).sign({ typ: 'session', sub: 'u_x', name: 'X', room: 'r', aud: 'a' });
    expect((await api('POST', '/api/rooms', {}, wrongType)).status).toBe(401);
  });

  it('creates rooms with unguessable URL-safe ids and spreads them over servers', async () => {
    const token = await login();
    const a = await api('POST', '/api/rooms', { name: 'first' }, token);
    const b = await api('POST', '/api/rooms', {}, token);
    expect(a.status).toBe(201);
    expect(a.body.roomId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const sa = await api('POST', `/api/rooms/${a.body.roomId}`, undefined, token);
    const sb = await api('POST', `/api/rooms/${b.body.roomId}`, undefined, token);
    expect(sa.status).toBe(200);
    expect(new Set([sa.body.serverId, sb.body.serverId])).toEqual(new Set(['a', 'b']));
    expect(sa.body.url).toBe(`ws://127.0.0.1:1/${sa.body.serverId}`);
  });

  it('answers the same server for a room on every call, with an ES256 session token for it', async () => {
    const token = await login('Lin');
    const { body } = await api('POST', '/api/rooms', {}, token);
    const first = await api('POST', `/api/rooms/${body.roomId}`, undefined, token);
    const again = await api('POST', `/api/rooms/${body.roomId}`, undefined, token);
    expect(again.body.serverId).toBe(first.body.serverId);
    const [header, payload] = first.body.token
      .split('.')
      .slice(0, 2)
      .map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('ES256');
    expect(payload).toMatchObject({ typ: 'session', room: body.roomId, aud: first.body.serverId, name: 'Lin' });
    expect(payload.exp - payload.iat).toBe(60);
    // A session token is not an access token.
    expect((await api('POST', '/api/rooms', {}, first.body.token)).status).toBe(401);
  });

  it('rejects a bad room name and unknown properties with 400', async () => {
    const token = await login();
    expect((await api('POST', '/api/rooms', { name: 'x'.repeat(65) }, token)).status).toBe(400);
    expect((await api('POST', '/api/rooms', { name: 5 }, token)).status).toBe(400);
    expect((await api('POST', '/api/rooms', { owner: 'me' }, token)).status).toBe(400);
  });

  it('answers 404 for an unknown or malformed room id', async () => {
    const token = await login();
    for (const id of ['AAAAAAAAAAAAAAAA', 'short', 'bad%20id%20with%20spaces']) {
      const r = await api('POST', `/api/rooms/${id}`, undefined, token);
      expect(r.status).toBe(404);
      expect(r.body.error).toBe('Not Found');
    }
  });

  it('lists servers and their rooms in the cluster view', async () => {
    const token = await login();
    const view = await api('GET', '/api/cluster', undefined, token);
    expect(view.status).toBe(200);
    const ids = view.body.servers.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['a', 'b']));
    expect(view.body.servers.every((s: { alive: boolean }) => s.alive)).toBe(true);
    expect((await api('GET', '/api/cluster')).status).toBe(401);
  });

  it('answers 503 once every server is full, and places again when a draining server frees nothing', async () => {
    const token = await login();
    // Servers a and b take 2 rooms each: fill what is left, then the next one finds no slot.
    let created = 0;
    while ((await api('POST', '/api/rooms', {}, token)).status === 201) created++;
    expect(created).toBeLessThanOrEqual(4);
    const view = await api('GET', '/api/cluster', undefined, token);
    expect(view.body.servers.map((s: { roomCount: number }) => s.roomCount)).toEqual([2, 2]);
    expect((await api('POST', '/api/rooms', {}, token)).status).toBe(503);
    await heartbeat({ serverId: 'c', draining: true, capacity: 10 });
    expect((await api('POST', '/api/rooms', {}, token)).status).toBe(503);
    await heartbeat({ serverId: 'c', draining: false, capacity: 10 });
    expect((await api('POST', '/api/rooms', {}, token)).status).toBe(201);
  });
});

describe('Swagger', () => {
  it('documents every public endpoint with schemas and errors, and hides the internal one', async () => {
    const r = await api('GET', '/docs-json');
    expect(r.status).toBe(200);
    const paths = r.body.paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/login', '/api/rooms', '/api/rooms/{roomId}', '/api/cluster', '/health']));
    expect(Object.keys(paths).some((p) => p.startsWith('/internal'))).toBe(false);
    expect(Object.keys(paths['/api/rooms/{roomId}'].post.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '503']));
    expect(paths['/api/login'].post.requestBody).toBeDefined();
    expect((await fetch(backend.base + '/docs')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('exposes Prometheus metrics of logins, placements and heartbeats at /metrics', async () => {
    const res = await fetch(backend.base + '/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^rooms_logins_total \d+/m);
    expect(Number(/^rooms_logins_total (\d+)/m.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/^rooms_placements_total\{outcome="placed"\} \d+/m);
    expect(text).toMatch(/^rooms_placement_duration_seconds_bucket/m);
    expect(text).toMatch(/^rooms_heartbeats_total [1-9]\d*/m);
  });
});

describe('a heartbeat of a busy session server', () => {
  // 1,000 rooms of 100 members (the 100,000-connection bench), a tenth of them full and so listing
  // their members: about 400 KB. The public 16 KB body limit once answered it 413, so the backend
  // took a live, busy server for dead and placed its rooms again.
  const rooms = Array.from({ length: 1000 }, (_, i) => ({
    roomId: `busy-room-${String(i).padStart(4, '0')}-abcdefghij`,
    connections: 100,
    lastActivity: Date.now(),
    epoch: 1,
    members: 100,
    lastSeq: 123_456,
    ...(i % 10 === 0 ? { memberIds: Array.from({ length: 100 }, (_, m) => `u_${i}_${m}_abcdefghijklmnop`) } : {}),
  }));

  it('is taken whatever its size within the internal limit', async () => {
    const r = await heartbeat({ serverId: 'busy', capacity: 1000, rooms, connections: 100_000, draining: true });
    expect(JSON.stringify(rooms).length).toBeGreaterThan(300_000);
    expect(r.status).toBe(200);
  });

  it('is refused 401 for a wrong secret before its body is read, and 413 past the internal limit', async () => {
    expect((await heartbeat({ serverId: 'busy', capacity: 1000, rooms, draining: true }, 'wrong-secret-value!')).status).toBe(401);
    const huge = Array.from({ length: 30 }, () => rooms).flat(); // 12 MB
    expect((await heartbeat({ serverId: 'busy', capacity: 1000, rooms: huge, draining: true })).status).toBe(413);
  });

  it('still limits public request bodies to 16 KB', async () => {
    expect((await api('POST', '/api/login', { name: 'x'.repeat(20_000) })).status).toBe(413);
  });
});

describe('room kinds (version 3)', () => {
  it('creates a room of a kind (version 3): chat by default, board when asked, anything else 400; get-or-start, the token and the summaries carry it', async () => {
    await heartbeat({ serverId: 'kinds', capacity: 10 });
    const token = await login('Kim');
    const chat = await api('POST', '/api/rooms', { name: 'talk' }, token);
    expect(chat.status).toBe(201);
    expect(chat.body).toEqual({ roomId: expect.any(String), name: 'talk', kind: 'chat' });
    const board = await api('POST', '/api/rooms', { kind: 'board' }, token);
    expect(board.status).toBe(201);
    expect(board.body).toEqual({ roomId: expect.any(String), name: null, kind: 'board' });
    const session = await api('POST', `/api/rooms/${board.body.roomId}`, undefined, token);
    expect(session.body.kind).toBe('board');
    const claims = JSON.parse(Buffer.from(session.body.token.split('.')[1], 'base64url').toString());
    expect(claims.kind).toBe('board');
    expect((await api('POST', `/api/rooms/${chat.body.roomId}`, undefined, token)).body.kind).toBe('chat');
    const summaries = await api('GET', `/api/rooms?ids=${board.body.roomId},${chat.body.roomId}`, undefined, token);
    expect(summaries.body.rooms.map((r: { kind: string }) => r.kind)).toEqual(['board', 'chat']);
    for (const kind of ['poll', '', 'Board', 7, ['board']]) {
      const bad = await api('POST', '/api/rooms', { kind }, token);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(['kind must be one of: chat, board']);
    }
  });
});
