// The systems under test: the raw `ws` server, and our product (backend + its session servers,
// plus a private redis-server when the store is redis). Each knows its pids for CPU/RSS.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { spawnPinned, stopChild, freePort, waitForLine, captureTail, isAlive } from './processes.mjs';
import { pidListeningOn, memKb } from './proc-stats.mjs';
import { BackendApi } from './http-api.mjs';
import { gcTotals } from './server-gc.mjs';

/** ADMIN_SECRET of the backends the bench starts (their cluster view is read as admin). */
const BENCH_ADMIN_SECRET = 'bench-admin-secret-0123456789';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BACKEND_MAIN = join(ROOT, 'dist/apps/backend/main.js');
/** The backend's Node flags as `npm start` (package.json) and the Kubernetes Deployment give them. */
export const BACKEND_NODE_ARGS = ['--max-semi-space-size=32', '--no-allocation-site-pretenuring'];
export const SESSION_MAIN = join(ROOT, 'dist/apps/session/main.js');
export const TMP = join(ROOT, 'bench/results/tmp');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class RawTarget {
  /** @param {string|null} core  @param {number} [servers] raw relays side by side (the scale bench's baseline: one per session server, each under the file limit); rooms are dealt over them */
  constructor(core, servers = 1) {
    this.core = core;
    this.servers = servers;
    this.name = 'raw';
  }
  async start() {
    this.children = [];
    this.urls = [];
    for (let i = 0; i < this.servers; i++) {
      const child = spawnPinned(this.core, process.execPath, [join(ROOT, 'bench/raw-ws-server.mjs'), '--port', '0']);
      this.children.push(child);
      const m = await waitForLine(child, /LISTENING (\d+)/, 10000, 'raw ws server');
      this.urls.push(`ws://127.0.0.1:${Number(m[1])}`);
    }
    [this.child] = this.children;
    this.url = this.urls[0];
    return this;
  }
  /** Server-side pids whose CPU and memory are measured, with a role name. */
  async serverPids() {
    return this.children.map((c, i) => ({ pid: c.pid, role: this.servers === 1 ? 'raw ws server' : `raw ws server ${i + 1}` }));
  }
  loadArgs() {
    return { target: 'raw', rawUrl: this.url, rawUrls: this.urls };
  }
  async stop() {
    await Promise.all(this.children.map((c) => stopChild(c, 2000)));
  }
}

export function redisAvailable() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A private redis-server (never the system one at 6379): no persistence. */
export class PrivateRedis {
  constructor(core) {
    this.core = core;
  }
  async start() {
    this.port = await freePort();
    this.child = spawnPinned(this.core, 'redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await waitForLine(this.child, /Ready to accept connections/i, 10000, 'redis-server');
    this.url = `redis://127.0.0.1:${this.port}`;
    return this;
  }
  async stop() {
    await stopChild(this.child, 2000);
  }
}

/**
 * Our product as `npm start` runs it: the backend with the `local` provisioner, which starts the
 * session servers itself.
 */
export class ProductTarget {
  /**
   * @param {object} o
   * @param {string} o.core  core for the backend (its session servers inherit it)
   * @param {'memory'|'sqlite'|'redis'} o.store
   * @param {number} o.sessionMin
   * @param {number} o.sessionMax
   * @param {number} o.maxRooms rooms per session server
   * @param {object} [o.env] extra env (RATE_PER_SECOND, SESSION_ENTRY for profiling, …)
   * @param {string[]} [o.nodeArgs] node flags for the backend (e.g. --cpu-prof)
   */
  constructor(o) {
    this.o = o;
    this.name = `ours (${o.store})`;
  }
  async start(log = () => {}) {
    try {
      return await this.startOrThrow(log);
    } catch (err) {
      await this.stop().catch(() => {});
      throw err;
    }
  }
  async startOrThrow(log) {
    if (!['memory', 'sqlite', 'redis'].includes(this.o.store)) throw new Error(`unknown store ${this.o.store} (memory, sqlite or redis)`);
    for (const f of [BACKEND_MAIN, SESSION_MAIN]) {
      if (!existsSync(f)) throw new Error(`${f.slice(ROOT.length + 1)} is missing: build the servers first (npm run build:servers)`);
    }
    if (this.o.store === 'redis') {
      this.redis = await new PrivateRedis(this.o.core).start();
      log(`  private redis-server on ${this.redis.url}`);
    }
    this.port = await freePort();
    this.dataDir = join(TMP, `data-${this.o.store}-${process.pid}-${Date.now()}`);
    mkdirSync(this.dataDir, { recursive: true });
    const env = {
      ...process.env,
      PORT: String(this.port),
      // Heartbeats' listener on any free port (its default, PORT + 1, may be taken); the provisioner
      // hands its URL to the session servers it starts.
      INTERNAL_PORT: '0',
      PROVISIONER: 'local',
      SESSION_MIN: String(this.o.sessionMin),
      SESSION_MAX: String(this.o.sessionMax),
      SESSION_MAX_ROOMS: String(this.o.maxRooms),
      ROOM_STORE: this.o.store,
      DATA_DIR: this.dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      // The bench logs in up to 100,000 users from one address: no per-address login/room-creation limit.
      HTTP_RATE_LIMIT_PER_MIN: '0',
      GUESTS_PER_ADDRESS_PER_HOUR: '0',
      ROOMS_PER_ADDRESS_PER_HOUR: '0',
      // The bench reads session servers' addresses (pids, GC figures) from the admin's cluster view.
      ADMIN_SECRET: BENCH_ADMIN_SECRET,
      // The get-or-start load runs as one user at 1,000 calls/s: lift the per-user quotas too.
      ROOMS_PER_USER_PER_HOUR: '10000000',
      SESSIONS_PER_USER_PER_MIN: '10000000',
      // Any free port for session servers: never collide with a dev instance on 8001+.
      SESSION_BASE_PORT: '0',
      ...(this.redis ? { REDIS_URL: this.redis.url } : {}),
      ...(this.o.env || {}),
    };
    if (!this.redis) delete env.REDIS_URL;
    this.child = spawnPinned(this.o.core, process.execPath, [...BACKEND_NODE_ARGS, ...(this.o.nodeArgs || []), BACKEND_MAIN], { env, cwd: ROOT });
    this.output = captureTail(this.child, 8000);
    this.api = new BackendApi(`http://127.0.0.1:${this.port}`);
    const t0 = performance.now();
    const deadline = Date.now() + 45000;
    while ((await this.api.health()) !== 200) {
      if (this.child.exitCode !== null) throw new Error(`backend exited with ${this.child.exitCode}. Output:\n${this.output.text}`);
      if (Date.now() > deadline) throw new Error(`backend /health not 200 within 45 s. Output:\n${this.output.text}`);
      await sleep(100);
    }
    this.admin = (await this.api.adminLogin(BENCH_ADMIN_SECRET)).token;
    // Wait until the provisioner's first session servers have registered.
    let servers = [];
    while (Date.now() < deadline) {
      servers = (await this.api.cluster(this.admin)).servers.filter((s) => s.alive !== false);
      if (servers.length >= this.o.sessionMin) break;
      await sleep(100);
    }
    if (servers.length < this.o.sessionMin) throw new Error(`only ${servers.length} session server(s) registered within 45 s. Output:\n${this.output.text}`);
    this.readyMs = performance.now() - t0;
    return this;
  }
  /** The backend plus every live session server (pid found from the port in its URL), plus redis. */
  async serverPids() {
    const out = [{ pid: this.child.pid, role: 'backend' }];
    const { servers } = await this.api.cluster(this.admin);
    for (const s of servers) {
      if (s.alive === false) continue;
      const port = Number(new URL(s.url).port);
      const pid = pidListeningOn(port);
      if (pid && isAlive(pid))
        out.push({ pid, role: `session ${s.id}`, serverId: s.id, url: s.url, rooms: s.rooms?.length ?? null, connections: s.connections });
    }
    if (this.redis) out.push({ pid: this.redis.child.pid, role: 'redis-server' });
    return out;
  }
  async sessionPids() {
    return (await this.serverPids()).filter((p) => p.role.startsWith('session'));
  }
  /** GC totals of every live session server, in the order of the cluster list (bench/lib/server-gc.mjs). */
  async gcTotals() {
    const { servers } = await this.api.cluster(this.admin);
    return Promise.all(servers.filter((s) => s.alive !== false).map((s) => gcTotals(s.url)));
  }
  loadArgs() {
    return { target: 'ours', apiUrl: this.api.base };
  }
  async stop() {
    const sessions = this.child && this.child.exitCode === null && this.admin ? await this.sessionPids().catch(() => []) : [];
    await stopChild(this.child, 8000);
    // The backend should have stopped its session servers; make sure (they are ours: we started it).
    for (const s of sessions) {
      if (isAlive(s.pid)) {
        await sleep(500);
        if (isAlive(s.pid)) process.kill(s.pid, 'SIGKILL');
      }
    }
    if (this.redis) await this.redis.stop();
    if (!this.dataDir) return;
    try {
      rmSync(this.dataDir, { recursive: true, force: true });
    } catch {
      /* keep */
    }
  }
}

/** RSS of a pid after it settled: the lowest of a few samples over `ms`. */
export async function settledRssMb(pid, ms = 1500) {
  let min = Infinity;
  const end = Date.now() + ms;
  do {
    const m = memKb(pid);
    if (m) min = Math.min(min, m.rssKb);
    await sleep(150);
  } while (Date.now() < end);
  return min === Infinity ? null : min / 1024;
}
