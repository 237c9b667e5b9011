// The backend's public HTTP API (PROTOCOL.md), as the load generator and the orchestrator use it.

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} → ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`.slice(0, 400));
    this.status = status;
    this.body = body;
  }
}

export class BackendApi {
  constructor(baseUrl) {
    this.base = baseUrl.replace(/\/$/, '');
  }
  async request(method, path, { token, body, timeoutMs = 15000 } = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    if (!res.ok) throw new ApiError(method, path, res.status, parsed);
    return parsed;
  }
  /** → { token, user } */
  login(name) {
    return this.request('POST', '/api/login', { body: { name } });
  }
  /** An access token with the admin role: the cluster view then names every room and each server's address. */
  adminLogin(secret) {
    return this.request('POST', '/api/admin/login', { body: { secret } });
  }
  /** → { roomId } */
  createRoom(token, name) {
    return this.request('POST', '/api/rooms', { token, body: name ? { name } : {} });
  }
  /** → { roomId, url, token, serverId } */
  session(token, roomId) {
    return this.request('POST', `/api/rooms/${encodeURIComponent(roomId)}`, { token });
  }
  /** → { servers: [{ id, url, rooms, connections, alive, ... }], at } */
  cluster(token) {
    return this.request('GET', '/api/cluster', { token });
  }
  async health() {
    try {
      const res = await fetch(`${this.base}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }
}

/** Runs fn over items with at most `limit` in flight; results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Appends ?token=… (and more params) to a session URL. */
export function withQuery(url, params) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.toString();
}
