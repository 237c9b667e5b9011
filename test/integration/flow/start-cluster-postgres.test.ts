import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import type { LoginResponse, RoomSessionResponse } from '@app/shared';
import { eventually } from '../../support/eventually';
import { acquirePostgresUrl, createDatabase } from '../../support/postgres-server';
import { descendantsOf, freePort, isAlive } from '../../support/processes';
import { RawFrameClient } from '../support/raw-frame-client';

// `npm run start:cluster -- --store postgres` as an operator runs it: the launcher migrates the
// database it is given (DATABASE_URL), and the session servers keep the history there.
const ROOT = join(__dirname, '..', '..', '..');

describe('npm run start:cluster -- --store postgres', () => {
  let launcher: ChildProcess | undefined;
  let output = '';
  let server: { url: string; release: () => Promise<void> } | undefined;
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let client: RawFrameClient | undefined;

  afterAll(async () => {
    client?.terminate();
    if (launcher && launcher.exitCode === null) {
      const family = [launcher.pid!, ...descendantsOf(launcher.pid!)];
      const exited = once(launcher, 'exit');
      launcher.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      for (const pid of family) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await database?.drop();
    await server?.release();
  });

  it('migrates the database, and a message sent through the proxy is stored in PostgreSQL', async () => {
    server = await acquirePostgresUrl();
    database = await createDatabase(server.url, 'cluster');
    const port = await freePort();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', CLUSTER_PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: database.url };
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    launcher = spawn(process.execPath, [join(ROOT, 'scripts', 'start-cluster.mjs'), '--store', 'postgres'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(() => output.includes('session servers:') || launcher!.exitCode !== null, 120_000, 'the cluster ready');
    expect(launcher.exitCode).toBeNull();
    expect(output).toContain('history in PostgreSQL, placement in Redis');
    // The URL given may carry a password: the launcher does not print it.
    expect(output).not.toContain(database.url);

    const proxy = `http://127.0.0.1:${port}`;
    const call = async <T>(path: string, token?: string, body: unknown = {}): Promise<T> => {
      const res = await fetch(`${proxy}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return (await res.json()) as T;
    };
    const { token } = await call<LoginResponse>('/api/login', undefined, { name: 'Ann' });
    const { roomId } = await call<{ roomId: string }>('/api/rooms', token);
    const session = await call<RoomSessionResponse>(`/api/rooms/${roomId}`, token);
    ({ client } = await RawFrameClient.join(`${session.url}/?token=${encodeURIComponent(session.token)}`));
    expect(await client.say('kept in PostgreSQL', 'c-1')).toBe(1);

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const rows = (await db.query<{ text: string }>('SELECT text FROM messages WHERE room_id = $1', [roomId])).rows;
      expect(rows).toEqual([{ text: 'kept in PostgreSQL' }]);
      expect((await db.query('SELECT name FROM pgmigrations')).rowCount).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 180_000);
});
