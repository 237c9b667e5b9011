import { HEARTBEAT_PATH, INTERNAL_SECRET_HEADER, TokenType, type ClusterView, type LoginResponse } from '@app/shared';
import { JwtService } from '@nestjs/jwt';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/eventually';
import { callApi } from '../../support/room-api';
import { BACKEND_ENTRY, BACKEND_INTERNAL, BACKEND_READY, SESSION_ENTRY, ServerProcess } from '../../support/server-process';

// Issue 23, finding 2: `npm start` as a newcomer runs it (the built backend, a fresh DATA_DIR, no
// secret in the environment) must run on no secret written in the source. Only the ports are set,
// so that tests running side by side do not collide.

/** What JWT_SECRET and INTERNAL_SECRET defaulted to before: printed in the source, so known to all. */
const OLD_JWT_SECRET = 'dev-insecure-jwt-secret-change-me';
const OLD_INTERNAL_SECRET = 'dev-internal-secret';

interface Started {
  proc: ServerProcess;
  url: string;
  /** The internal listener; before it existed, heartbeats went to the public URL. */
  internal: string;
}

async function startNewcomerBackend(dataDir: string): Promise<Started> {
  const { proc, match } = await ServerProcess.start(
    'backend',
    BACKEND_ENTRY,
    { PORT: '0', INTERNAL_PORT: '0', SESSION_BASE_PORT: '0', SESSION_MIN: '1', DATA_DIR: dataDir },
    BACKEND_READY,
  );
  return { proc, url: match[1], internal: BACKEND_INTERNAL.exec(proc.logs())?.[1] ?? match[1] };
}

function heartbeat(base: string, secret: string, serverId: string): Promise<Response> {
  return fetch(base + HEARTBEAT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: secret },
    body: JSON.stringify({ serverId, url: 'ws://127.0.0.1:1', capacity: 1000, rooms: [], connections: 0, draining: false }),
  });
}

describe('npm start as a newcomer runs it: no secret from the source', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rooms-newcomer-'));
  let backend: Started;
  let token: string;

  beforeAll(async () => {
    backend = await startNewcomerBackend(dataDir);
    token = (await callApi<LoginResponse>(backend.url, 'POST', '/api/login', undefined, { name: 'Newcomer' })).body.token;
  });
  afterAll(async () => {
    await backend?.proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses an admin token signed with the old JWT_SECRET default (401)', async () => {
    const forged = new JwtService().sign(
      { typ: TokenType.Access, sub: 'u_forged', name: 'Mallory', role: 'admin' },
      { secret: OLD_JWT_SECRET, algorithm: 'HS256', expiresIn: 3600 },
    );
    expect((await callApi(backend.url, 'GET', '/api/cluster', forged)).status).toBe(401);
    expect((await callApi(backend.url, 'POST', '/api/rooms', forged, {})).status).toBe(401);
  });

  it('registers no session server from a heartbeat with the old INTERNAL_SECRET default', async () => {
    const rogue = await heartbeat(backend.internal, OLD_INTERNAL_SECRET, 'rogue');
    expect(rogue.status).toBe(401);
    const view = await callApi<ClusterView>(backend.url, 'GET', '/api/cluster', token);
    expect(view.status).toBe(200);
    expect(view.body.servers.map((s) => s.id)).not.toContain('rogue');
  });

  it('keeps the secrets it made in DATA_DIR, readable by its owner only', () => {
    const file = join(dataDir, 'generated-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(secrets.JWT_SECRET).not.toBe(OLD_JWT_SECRET);
    expect(secrets.INTERNAL_SECRET).not.toBe(OLD_INTERNAL_SECRET);
    expect(secrets.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 404 for the heartbeat path on the public port, even with the real secret', async () => {
    const { INTERNAL_SECRET } = JSON.parse(readFileSync(join(dataDir, 'generated-secrets.json'), 'utf8')) as Record<string, string>;
    expect(backend.internal).not.toBe(backend.url);
    expect((await heartbeat(backend.url, INTERNAL_SECRET, 'via-public')).status).toBe(404);
    // The internal listener takes it: the secret is the one session servers are given.
    expect((await heartbeat(backend.internal, INTERNAL_SECRET, 'via-internal')).status).toBe(200);
  });

  it('lets a session server started by hand on the same DATA_DIR register without INTERNAL_SECRET, and says so', async () => {
    const { proc } = await ServerProcess.start(
      'standalone',
      SESSION_ENTRY,
      { PORT: '0', SERVER_ID: 'standalone', DATA_DIR: dataDir, BACKEND_URL: backend.internal },
      /"msg":"session server listening"/,
    );
    try {
      expect(proc.logs()).toContain(`No INTERNAL_SECRET set: using the development one in ${join(dataDir, 'generated-secrets.json')}`);
      await eventually(
        async () => (await callApi<ClusterView>(backend.url, 'GET', '/api/cluster', token)).body.servers.some((s) => s.id === 'standalone' && s.alive),
        15_000,
        'the standalone session server to register',
      );
    } finally {
      await proc.stop();
    }
  });

  it('keeps an access token valid across a restart on the same DATA_DIR', async () => {
    await backend.proc.stop();
    backend = await startNewcomerBackend(dataDir);
    expect((await callApi(backend.url, 'GET', '/api/cluster', token)).status).toBe(200);
  });
});

describe('a production start without secrets', () => {
  async function exitOf(entry: string, env: Record<string, string>): Promise<{ code: number | null; logs: string }> {
    const started = ServerProcess.start('production', entry, { PORT: '0', INTERNAL_PORT: '0', NODE_ENV: 'production', ...env }, /(?!)/);
    const err = await started.then(
      () => null,
      (e: Error) => e,
    );
    if (!err) throw new Error('it started');
    const code = /exited \((\S+)\)/.exec(err.message)?.[1];
    return { code: code === undefined ? null : Number(code), logs: err.message };
  }

  it('the backend exits non-zero, naming JWT_SECRET and INTERNAL_SECRET', async () => {
    const { code, logs } = await exitOf(BACKEND_ENTRY, { PROVISIONER: 'none', ROOM_CATALOG: 'memory' });
    expect(code).toBe(1);
    expect(logs).toContain('JWT_SECRET must be set in production');
    expect(logs).toContain('INTERNAL_SECRET must be set in production');
  });

  it('the session server exits non-zero, naming INTERNAL_SECRET', async () => {
    const { code, logs } = await exitOf(SESSION_ENTRY, { ROOM_STORE: 'memory' });
    expect(code).toBe(1);
    expect(logs).toContain('INTERNAL_SECRET must be set in production');
  });
});
