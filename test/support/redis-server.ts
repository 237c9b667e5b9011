import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { eventually } from './eventually';
import { freePort } from './processes';

/**
 * Private redis-server processes for tests. Tests never touch the system Redis on 6379: they use
 * `REDIS_URL` when the test runner set one, else a redis-server of their own on a free port.
 */

const MISSING = 'redis-server not found: apt-get install redis-server';

export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server and waits for it to exit; its data is gone unless it is `persistent`. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty unless `persistent`). */
  start(): Promise<void>;
}

/** A key prefix no other test shares, so tests can run in parallel on one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** `REDIS_URL` when set (the shared test Redis), else a private server stopped by `release`. */
export async function acquireRedisUrl(): Promise<{ url: string; release: () => Promise<void> }> {
  const shared = process.env.REDIS_URL;
  if (shared) return { url: shared, release: async () => undefined };
  const server = await startRedisServer();
  return { url: server.url, release: () => server.stop() };
}

export interface RedisServerOptions {
  /** Keep data across `stop`/`start` (append-only file, fsync on every write, in a temp dir). */
  persistent?: boolean;
  /** More addresses to listen on besides 127.0.0.1 (a test's network namespace host side). */
  alsoBind?: string[];
}

/** Always a private server: for tests that stop and restart Redis. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServer();
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', mkdtempSync(join(tmpdir(), 'redis-test-'))]
    : ['--appendonly', 'no'];
  // Other addresses than loopback are reached from a test's own namespaces only; protected mode
  // would refuse those clients (no password).
  const extraBind = options.alsoBind ?? [];
  const bind = ['--bind', '127.0.0.1', ...extraBind, ...(extraBind.length ? ['--protected-mode', 'no'] : [])];
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, [...bind, ...persistence]);
    } catch (err) {
      // Another process may have taken the port between probing and binding it.
      if (attempt >= 3 || (err as Error).message === MISSING) throw err;
    }
  }
}

function findRedisServer(): string {
  const candidates = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'redis-server'));
  candidates.push('/usr/bin/redis-server', '/usr/local/bin/redis-server');
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(MISSING);
  return found;
}

async function launch(binary: string, port: number, args: string[]): Promise<RedisServerHandle> {
  let child: ChildProcess | undefined;
  const spawnOne = async (): Promise<void> => {
    const proc = spawn(binary, ['--port', String(port), '--save', '', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    proc.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(MISSING) : err));
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code} on port ${port}: ${output}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([eventually(() => ping(port), 5000, `redis-server on port ${port} to answer PING`, 50), exited]);
  };
  const killChild = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);
  try {
    await spawnOne();
  } catch (err) {
    await killChild();
    process.removeListener('exit', onExit);
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: killChild,
    start: spawnOne,
  };
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
