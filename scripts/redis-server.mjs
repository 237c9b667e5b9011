// Private redis-server processes on free loopback ports (never the machine's shared one on 6379): the
// one launcher of the repo, used by `npm test`, `npm run start:cluster` and the tests
// (test/support/redis-server.ts).
import { existsSync, mkdtempSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.mjs';
import { startService } from './service-process.mjs';

export const REDIS_SERVER_MISSING = 'redis-server not found (Debian: apt-get install redis-server)';

/** The redis-server binary on PATH (or in the usual places), or null. */
export function findRedisServer() {
  const candidates = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'redis-server'));
  candidates.push('/usr/bin/redis-server', '/usr/local/bin/redis-server');
  return candidates.find((path) => existsSync(path)) ?? null;
}

/**
 * Starts a redis-server on a free port; resolves once it answers PING with
 * `{ port, url, stop, start }` (`stop` SIGKILLs it, `start` starts it again on the same port).
 */
export async function startRedisServer(options = {}) {
  const binary = options.binary ?? findRedisServer();
  if (!binary) throw new Error(REDIS_SERVER_MISSING);
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', mkdtempSync(join(tmpdir(), 'redis-test-'))]
    : ['--appendonly', 'no'];
  // Other addresses than loopback are reached from a test's own network namespaces only; protected
  // mode would refuse those clients (no password).
  const extraBind = options.alsoBind ?? [];
  const bind = ['--bind', '127.0.0.1', ...extraBind, ...(extraBind.length ? ['--protected-mode', 'no'] : [])];
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, [...bind, ...persistence]);
    } catch (err) {
      // Another process may have taken the port between probing and binding it.
      if (attempt >= 3 || err.message === REDIS_SERVER_MISSING) throw err;
    }
  }
}

async function launch(binary, port, args) {
  const service = await startService({
    name: `redis-server on port ${port}`,
    command: binary,
    args: ['--port', String(port), '--save', '', ...args],
    missing: REDIS_SERVER_MISSING,
    ready: () => ping(port),
    waitingFor: 'answer PING',
    timeoutMs: 5000,
    pollMs: 50,
    killSignal: 'SIGKILL',
  });
  const stop = async () => {
    await service.stop();
    service.release();
  };
  return { port, url: `redis://127.0.0.1:${port}`, stop, start: service.start };
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok) => {
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
