// The backend's HTTP API as the load generator and the orchestrator use it: the public calls are
// the client SDK's (libs/client, built by `npm run build` into libs/client/dist), with the token
// passed per call, as the bench holds thousands of users' tokens; the operator's calls (admin
// login, health) are not in the SDK and are made here.
const { RoomsApi } = await import('../../libs/client/dist/index.js').catch((err) => {
  throw new Error(`the client SDK is not built (libs/client/dist): run \`npm run build\` first (${err.message})`);
});

export class BackendApi {
  constructor(baseUrl) {
    this.base = baseUrl.replace(/\/$/, '');
  }
  /** The SDK's API acting for one user (a RoomsApi holds one access token). */
  as(token) {
    return new RoomsApi({ baseUrl: this.base, token });
  }
  /** → { token, user } */
  login(name) {
    return this.as(null).login(name);
  }
  /** An access token with the admin role: the cluster view then names every room and each server's address. */
  async adminLogin(secret) {
    const res = await fetch(`${this.base}/api/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret }),
      signal: AbortSignal.timeout(15000),
    });
    if (!res.ok) throw new Error(`POST /api/admin/login → ${res.status} ${await res.text()}`);
    return res.json();
  }
  /** → { roomId } */
  createRoom(token, name) {
    return this.as(token).createRoom(name || undefined);
  }
  /** → { roomId, url, token, serverId, epoch } */
  session(token, roomId) {
    return this.as(token).roomSession(roomId);
  }
  /** → { servers: [{ id, url, rooms, connections, alive, ... }], at } */
  cluster(token) {
    return this.as(token).cluster();
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
