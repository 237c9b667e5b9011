#!/usr/bin/env node
// `npm run start:cluster`: the distributed mode on one machine. A private redis-server on a free port
// (or REDIS_URL), two backend replicas sharing it (directory in Redis, no provisioner), a small
// round-robin proxy in front of them on CLUSTER_PORT (default 8080) for HTTP and WebSocket upgrades,
// and three session servers that heartbeat to both backends and keep history in Redis, or with
// `-- --store postgres` in PostgreSQL (DATABASE_URL, else a private server on a free port, migrated
// with `npm run db:migrate` first, as an operator would). Prints the
// proxy's URL only (the backends' own banners are not echoed: a client that used one would miss the
// proxy) and one admin secret that both backends share (ADMIN_SECRET, else made here for this run:
// with one per backend, admin login through the proxy worked every other time). Ctrl-C (or SIGTERM)
// stops everything: session servers first (they drain), then the backends, the proxy, Redis and a
// private PostgreSQL.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProxyServer } from 'http-proxy-3';
import { freePort } from './free-port.mjs';
import { findPostgresBin, POSTGRES_MISSING, startPostgresServer } from './postgres-server.mjs';
import { findRedisServer, startRedisServer } from './redis-server.mjs';

const root = new URL('..', import.meta.url).pathname;
const proxyPort = Number(process.env.CLUSTER_PORT ?? 8080);
const SESSION_IDS = ['session-a', 'session-b', 'session-c'];
const STORES = ['redis', 'postgres'];
const children = new Set();
let redis = null;
let postgres = null;
let proxyServer = null;
let stopping = false;

/**
 * Runs a built server; resolves with the first match of `ready` in its output. Its lines are prefixed
 * with `name`, except those matching `hide`.
 */
function startProcess(name, entry, env, ready, hide = null) {
  return new Promise((resolve, reject) => {
    // Own process group: a terminal's Ctrl-C reaches this script only, which stops the servers in order
    // (session servers drain while the backends still answer their heartbeats).
    const child = spawn(process.execPath, [entry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let seen = '';
    let resolved = false;
    const onData = (chunk) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.trim() && !hide?.test(line)) process.stdout.write(`[${name}] ${line}\n`);
      if (resolved) return;
      seen += text;
      const m = ready.exec(seen);
      if (m) {
        resolved = true;
        resolve({ child, match: m });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (!resolved) reject(new Error(`${name} exited (${code ?? signal}) before it was ready`));
      else if (!stopping) console.error(`[${name}] exited (${code ?? signal})`);
    });
  });
}

function stopChild(child, signal = 'SIGTERM', graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the cluster …');
  const sessions = [...children].filter((c) => c.roleName === 'session');
  await Promise.all(sessions.map((c) => stopChild(c)));
  await Promise.all([...children].map((c) => stopChild(c)));
  await new Promise((resolve) => (proxyServer ? proxyServer.close(() => resolve()) : resolve()));
  await redis?.stop();
  await postgres?.stop();
  process.exit(code);
}

process.on('SIGINT', () => void stopAll());
process.on('SIGTERM', () => void stopAll());
// Should this script die some other way, its servers do not outlive it.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `npm run db:migrate` against `url`, as an operator runs it before the servers start. */
function migrate(url) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'db:migrate'], { cwd: root, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run db:migrate failed:\n${output}`))));
  });
}

async function main() {
  const { values } = parseArgs({ options: { store: { type: 'string', default: 'redis' } } });
  if (!STORES.includes(values.store)) throw new Error(`--store must be one of ${STORES.join(', ')} (got "${values.store}")`);
  const build = spawn(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  const built = await new Promise((resolve) => build.once('exit', (code) => resolve(code === 0)));
  if (!built) throw new Error('build failed');

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const binary = findRedisServer();
    if (!binary) throw new Error('redis-server not found (Debian: apt-get install redis-server), or set REDIS_URL');
    redis = await startRedisServer({ binary });
    redisUrl = redis.url;
  }
  console.log(`redis: ${redisUrl}`);

  let databaseUrl = process.env.DATABASE_URL;
  if (values.store === 'postgres') {
    if (!databaseUrl) {
      const bin = findPostgresBin();
      if (!bin) throw new Error(POSTGRES_MISSING);
      postgres = await startPostgresServer({ bin, durable: true });
      databaseUrl = postgres.url;
      console.log(`postgres: ${databaseUrl}`);
    } else {
      console.log('postgres: DATABASE_URL');
    }
    await migrate(databaseUrl);
  }
  const storeEnv = values.store === 'postgres' ? { ROOM_STORE: 'postgres', DATABASE_URL: databaseUrl } : { ROOM_STORE: 'redis' };

  // Secrets the replicas share: tokens from one are valid on the other, and the admin secret works
  // whichever replica the proxy picks.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // In production without ADMIN_SECRET there is no admin, as with one backend.
  const production = (process.env.NODE_ENV ?? 'development') === 'production';
  const generatedAdminSecret = process.env.ADMIN_SECRET || production ? null : randomBytes(18).toString('base64url');
  const shared = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX ?? `cluster:${randomBytes(3).toString('hex')}:`,
    INTERNAL_SECRET: process.env.INTERNAL_SECRET ?? randomBytes(16).toString('hex'),
  };
  const backendEnv = {
    ...shared,
    PROVISIONER: 'none',
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    SESSION_TOKEN_PRIVATE_KEY: process.env.SESSION_TOKEN_PRIVATE_KEY ?? privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    // The proxy on loopback adds X-Forwarded-For: rate limits and logs see the real client.
    TRUST_PROXY: 'loopback',
    ...((process.env.ADMIN_SECRET ?? generatedAdminSecret) ? { ADMIN_SECRET: process.env.ADMIN_SECRET ?? generatedAdminSecret } : {}),
  };

  const backendUrls = [];
  // Each replica's internal listener (INTERNAL_PORT, loopback): session servers heartbeat there; the
  // proxy never routes to it.
  const internalUrls = [];
  for (const name of ['backend-1', 'backend-2']) {
    const port = await freePort();
    const internalPort = await freePort();
    const { child, match } = await startProcess(
      name,
      join(root, 'dist', 'apps', 'backend', 'main.js'),
      { ...backendEnv, PORT: String(port), INTERNAL_PORT: String(internalPort) },
      /open (http:\/\/[^\s/]+)\//,
      // The backend's own banner (its URL, its provisioner): only the proxy's is printed.
      /Rooms is ready: open |live session server\(s\), directory |No ADMIN_SECRET set|Session servers heartbeat to the internal listener /,
    );
    child.roleName = 'backend';
    backendUrls.push(match[1]);
    internalUrls.push(`http://127.0.0.1:${internalPort}`);
  }

  // Round robin over the replicas, for plain HTTP and for WebSocket upgrades alike.
  const proxy = createProxyServer({ xfwd: true, ws: true });
  let next = 0;
  const pick = () => backendUrls[next++ % backendUrls.length];
  proxy.on('error', (err, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent)
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 502, message: 'backend unavailable', error: 'Bad Gateway' }));
    else res?.destroy?.();
  });
  proxyServer = createServer((req, res) => proxy.web(req, res, { target: pick() }));
  proxyServer.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head, { target: pick() }));
  await new Promise((resolve, reject) => {
    proxyServer.once('error', reject);
    proxyServer.listen(proxyPort, '127.0.0.1', resolve);
  });

  for (const id of SESSION_IDS) {
    const { child } = await startProcess(
      id,
      join(root, 'dist', 'apps', 'session', 'main.js'),
      { ...shared, PORT: '0', SERVER_ID: id, BACKEND_URL: internalUrls.join(','), ...storeEnv },
      /"msg":"session server listening".*?"port":(\d+)|session server listening/,
    );
    child.roleName = 'session';
  }

  console.log('');
  console.log(`cluster ready: open http://127.0.0.1:${proxyPort}/  (Ctrl-C stops everything)`);
  if (generatedAdminSecret) console.log(`  No ADMIN_SECRET set: the admin secret of this run is ${generatedAdminSecret}  (cluster page, "Admin login").`);
  console.log(`  backends: ${backendUrls.length} replicas behind the round-robin proxy`);
  const history = values.store === 'postgres' ? 'history in PostgreSQL, placement in Redis' : 'history and placement in Redis';
  console.log(`  session servers: ${SESSION_IDS.join(', ')} (${history})`);
}

main().catch((err) => {
  console.error(`start:cluster failed: ${err.message}`);
  void stopAll(1);
});
