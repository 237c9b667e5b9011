import { ApiError, RoomsApi } from './rooms-api';
import type { FetchLike, RequestInitLike } from './environment';

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInitLike }> = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return {
      status,
      ok: status >= 200 && status < 300,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
    };
  };
  return { fetch, calls };
}

describe('RoomsApi', () => {
  it('logs in without a token, keeps the access token, and sends it as Bearer afterwards', async () => {
    const f = fakeFetch(201, { token: 'acc', user: { id: 'u_1', name: 'Ada' } });
    const api = new RoomsApi({ baseUrl: 'http://b.test/', env: { fetch: f.fetch } });
    await expect(api.login('Ada')).resolves.toEqual({ token: 'acc', user: { id: 'u_1', name: 'Ada' } });
    expect(f.calls[0].url).toBe('http://b.test/api/login');
    expect(f.calls[0].init).toMatchObject({ method: 'POST', body: '{"name":"Ada"}' });
    expect(f.calls[0].init.headers.authorization).toBeUndefined();
    expect(api.token).toBe('acc');
    await api.createRoom();
    expect(f.calls[1]).toMatchObject({ url: 'http://b.test/api/rooms', init: { method: 'POST', body: '{}', headers: { authorization: 'Bearer acc' } } });
  });

  it('sends the previous token when asked, so the same name keeps its user id', async () => {
    const f = fakeFetch(201, { token: 'acc2', user: { id: 'u_1', name: 'Ada' } });
    await new RoomsApi({ baseUrl: 'http://b.test', env: { fetch: f.fetch } }).login('Ada', { previousToken: 'acc1' });
    expect(JSON.parse(f.calls[0].init.body!)).toEqual({ name: 'Ada', previousToken: 'acc1' });
  });

  it('calls every route of the contract', async () => {
    const f = fakeFetch(200, {});
    const api = new RoomsApi({ baseUrl: 'http://b.test', token: 't', env: { fetch: f.fetch } });
    await api.createRoom('Lobby');
    await api.roomSession('abc_DEF-12345678');
    await api.roomSummaries(['a1234567', 'b1234567']);
    await api.cluster();
    expect(f.calls.map((c) => `${c.init.method} ${c.url.slice('http://b.test'.length)} ${c.init.body ?? ''}`.trim())).toEqual([
      'POST /api/rooms {"name":"Lobby"}',
      'POST /api/rooms/abc_DEF-12345678',
      'GET /api/rooms?ids=a1234567,b1234567',
      'GET /api/cluster',
    ]);
  });

  it('throws ApiError with the status, the server message and Retry-After', async () => {
    const f = fakeFetch(429, { statusCode: 429, message: 'too many rooms, try again in 30 s', error: 'Too Many Requests' }, { 'retry-after': '30' });
    const api = new RoomsApi({ baseUrl: 'http://b.test', token: 't', env: { fetch: f.fetch } });
    const err = (await api.createRoom().catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 30_000, serverMessage: 'too many rooms, try again in 30 s' });
  });

  it('joins a list of validation messages, and reports status 0 when no answer came', async () => {
    const bad = fakeFetch(400, { statusCode: 400, message: ['name must not be empty', 'name must be a string'], error: 'Bad Request' });
    const err = (await new RoomsApi({ baseUrl: 'http://b.test', env: { fetch: bad.fetch } }).login('').catch((e: unknown) => e)) as ApiError;
    expect(err.serverMessage).toBe('name must not be empty; name must be a string');
    const down: FetchLike = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const lost = (await new RoomsApi({ baseUrl: 'http://b.test', env: { fetch: down } }).login('Ada').catch((e: unknown) => e)) as ApiError;
    expect(lost).toMatchObject({ status: 0, serverMessage: 'connect ECONNREFUSED' });
  });
});
