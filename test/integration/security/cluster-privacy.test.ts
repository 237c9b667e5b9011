import type { ClusterView } from '@app/shared';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBackendApp, listenBackend } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';
import { SdkChatter } from '../../support/sdk-chatter';
import { CLUSTER_ADMIN_SECRET, LiveCluster } from './support/live-cluster';

// Attack 1 of issue 15: GET /api/cluster gave every logged-in user every room id (and the session
// servers' internal URLs), and a room id is the only key to a room. Now a user sees the servers,
// their load and counts, but only the rooms they opened a session for; an admin sees everything.
describe('cluster view privacy', () => {
  let cluster: LiveCluster;
  beforeAll(async () => {
    cluster = await LiveCluster.start({ servers: 2 });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("never shows a user another user's room ids or a server address", async () => {
    const ada = await cluster.login('Ada');
    const mallory = await cluster.login('Mallory');
    const adaRooms: string[] = [];
    for (let i = 0; i < 3; i++) adaRooms.push((await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).body.roomId);
    await cluster.call('POST', `/api/rooms/${adaRooms[0]}`, { token: ada.token });

    const seen = await cluster.cluster(mallory.token);
    const text = JSON.stringify(seen);
    for (const roomId of adaRooms) expect(text).not.toContain(roomId);
    expect(text).not.toMatch(/wss?:\/\//);
    expect(seen.scope).toBe('own');
    // The load is still there: servers, capacity, how many rooms each holds, connections.
    expect(seen.servers.filter((s) => s.alive)).toHaveLength(2);
    expect(seen.servers.reduce((n, s) => n + s.roomCount, 0)).toBeGreaterThanOrEqual(3);
    expect(seen.servers.every((s) => s.url === undefined && s.capacity > 0)).toBe(true);

    // Ada sees her own rooms (created or opened), with no addresses either.
    const hers = await cluster.cluster(ada.token);
    expect(hers.servers.flatMap((s) => s.rooms).sort()).toEqual([...adaRooms].sort());
    expect(JSON.stringify(hers)).not.toMatch(/wss?:\/\//);
  });

  it('names a room to a user once they opened a session for it (they had its id)', async () => {
    const ada = await cluster.login('Ada');
    const bob = await cluster.login('Bob');
    const roomId = (await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).body.roomId as string;
    expect(JSON.stringify(await cluster.cluster(bob.token))).not.toContain(roomId);
    const session = await cluster.call('POST', `/api/rooms/${roomId}`, { token: bob.token });
    expect(session.status).toBe(200);
    const bobs = await cluster.cluster(bob.token);
    expect(bobs.servers.find((s) => s.id === session.body.serverId)!.rooms).toEqual([roomId]);
  });

  it('shows an admin every room and every address; a wrong secret gets 401', async () => {
    const ada = await cluster.login('Ada');
    const roomId = (await cluster.call('POST', '/api/rooms', { token: ada.token, body: {} })).body.roomId as string;
    const admin = await cluster.adminToken();
    const view: ClusterView = await cluster.cluster(admin);
    expect(view.scope).toBe('all');
    expect(view.servers.flatMap((s) => s.rooms)).toContain(roomId);
    expect(view.servers.filter((s) => s.alive).every((s) => /^ws:\/\/127\.0\.0\.1:\d+$/.test(s.url ?? ''))).toBe(true);
    // The admin's token is an access token like any other: it can open a room's session.
    const asAdmin = new SdkChatter('admin', [cluster.url], admin, roomId);
    expect((await asAdmin.connect()).roomId).toBe(roomId);
    await asAdmin.close();

    const wrong = await cluster.call('POST', '/api/admin/login', { body: { secret: `${CLUSTER_ADMIN_SECRET}-not` } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'wrong admin secret' });
    expect((await cluster.call('POST', '/api/admin/login', { body: {} })).status).toBe(400);
  });
});

describe('admin login without ADMIN_SECRET', () => {
  let app: NestFastifyApplication;
  let base: string;
  beforeAll(async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = loadBackendConfig({
      NODE_ENV: 'production',
      PORT: '0',
      PROVISIONER: 'none',
      ROOM_CATALOG: 'memory',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'a-production-like-jwt-secret-0123',
      INTERNAL_SECRET: 'a-production-internal-secret',
      SESSION_TOKEN_PRIVATE_KEY: key,
    });
    app = await createBackendApp(config);
    base = await listenBackend(app, config);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('has no admin in production: 403 with a clear message, whatever the secret', async () => {
    const res = await fetch(`${base}/api/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"secret":"anything-at-all"}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'there is no admin on this server: ADMIN_SECRET is not set' });
  });
});
