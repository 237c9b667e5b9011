// Private PostgreSQL servers on free loopback ports (never the machine's shared one on 5432): the
// one launcher of the repo, used by `npm test` and the tests (test/support/postgres-server.ts).
// `initdb` into a temporary directory, trust authentication on loopback only, `postgres` run in the
// foreground (so a SIGKILL of this process's children is enough), the directory removed on stop.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.mjs';
import { startService } from './service-process.mjs';

export const POSTGRES_MISSING =
  'PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql), or set DATABASE_URL to a database the tests may use';

/** The directory holding `initdb` and `postgres` (PATH first, then Debian's versioned directories, newest first), or null. */
export function findPostgresBin() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return dirs.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) ?? null;
}

/**
 * initdb refuses to run as root: as root, the server runs as the `postgres` user (Debian's package
 * makes it), else as `nobody`.
 */
function unprivilegedUser() {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

/**
 * Starts a PostgreSQL server on a free port; resolves once it accepts connections with
 * `{ port, url, stop, kill, start, restart }`: `url` is a `postgres://` URL of its `postgres`
 * database (user `postgres`, no password), `stop` stops it and removes its directory, `kill` stops it
 * at once (immediate shutdown, as `pg_ctl stop -m immediate` or a crash: no checkpoint) keeping its
 * data, `start` starts it again on the same data and port, `restart` is both.
 */
export async function startPostgresServer(options = {}) {
  const bin = options.bin ?? findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const user = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'postgres-test-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asUser,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${err.stderr?.toString() ?? err.message}`, { cause: err });
  }
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(bin, dir, data, port, asUser, options);
    } catch (err) {
      // Another process may have taken the port between probing and binding it.
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function launch(bin, dir, data, port, asUser, options) {
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  // Tests need commits that survive a killed server process, not a power cut: no fsync unless asked.
  if (!options.durable) args.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  // SIGQUIT is PostgreSQL's immediate shutdown (no checkpoint: the next start replays the WAL, as after a crash).
  const service = await startService({
    name: `postgres on port ${port}`,
    command: join(bin, 'postgres'),
    args,
    spawnOptions: asUser,
    missing: POSTGRES_MISSING,
    ready: () => accepts(port),
    waitingFor: 'accept connections',
    timeoutMs: 15_000,
    pollMs: 100,
    killSignal: 'SIGQUIT',
  });
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await service.stop('SIGINT'); // fast shutdown: ends the sessions, then exits
      service.release();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => service.stop('SIGQUIT'),
    start: service.start,
    restart: async () => {
      await service.stop('SIGQUIT');
      await service.start();
    },
  };
}

/** Whether the server takes a query (it answers the protocol's handshake before it is ready for sessions). */
async function accepts(port) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
