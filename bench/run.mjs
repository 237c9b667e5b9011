#!/usr/bin/env node
// `npm run bench`: our product against a raw `ws` fan-out server, same workload, same machine.
//
//   node bench/run.mjs                 full run (several minutes)
//   node bench/run.mjs --smoke         a few seconds, tiny workload: checks the whole pipeline works
//   node bench/run.mjs --curve         the cost curve (bench/curve.mjs): room shapes and 1–8 session servers
//   node bench/run.mjs --scale         100,000 connections on this machine (bench/scale.mjs)
//   options: --runs 3 --seconds 10 --rooms 50 --users 20 --rates 500,1000,1500,2000,2500,3000,3500,4000,4500,5000,6000,8000
//            --stores memory,sqlite,redis --targets raw,ours --drain-ms 5000 --text-bytes 100
//            --http-seconds 10 --http-rate 1000 --http-warmup 10 --no-http --http-only --no-spawn --sweep-stores --profile
//            --limit-rate N
//
// See docs/bench/README.md for what is measured and how to read it.
import { writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { spread } from './lib/percentiles.mjs';
import { ProcSampler, machineCpuMs } from './lib/proc-stats.mjs';
import { pinning, pinPid, killAllChildren, cores } from './lib/processes.mjs';
import { RawTarget, ProductTarget, redisAvailable, settledRssMb, ROOT, TMP } from './lib/targets.mjs';
import { withQuery } from './lib/http-api.mjs';
import { throughputChart } from './lib/chart-svg.mjs';
import { GeneratorChild } from './lib/generator-child.mjs';
import { gcDelta, gcTotals } from './lib/server-gc.mjs';

// ---------- options ----------
const argv = process.argv.slice(2);
const has = (n) => argv.includes(`--${n}`);
// The cost curve and the 100,000-connection run are benches of their own; `--curve` and `--scale` run them.
for (const mode of ['curve', 'scale']) {
  if (has(mode)) {
    const { status } = spawnSync(process.execPath, [join(import.meta.dirname, `${mode}.mjs`), ...argv.filter((a) => a !== `--${mode}`)], { stdio: 'inherit' });
    process.exit(status ?? 1);
  }
}
const opt = (n, d) => (has(n) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const list = (s) =>
  String(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const SMOKE = has('smoke');
const P99_LIMIT_MS = 50;
const SETTLE_MS = SMOKE ? 300 : 1500;
const cfg = SMOKE
  ? {
      runs: 1,
      seconds: 2,
      rooms: 2,
      users: 3,
      rates: [30],
      stores: ['memory'],
      targets: list(opt('targets', 'raw,ours')),
      drainMs: 3000,
      warmupSeconds: 0,
      httpWarmupSeconds: 0,
      httpSeconds: 1,
      httpRate: 200,
      spawn: true,
    }
  : {
      runs: Number(opt('runs', 3)),
      seconds: Number(opt('seconds', 10)),
      rooms: Number(opt('rooms', 50)),
      users: Number(opt('users', 20)),
      rates: list(opt('rates', '500,1000,1500,2000,2500,3000,3500,4000,4500,5000,6000,8000')).map(Number),
      stores: list(opt('stores', 'memory,sqlite,redis')),
      targets: list(opt('targets', 'raw,ours')),
      drainMs: Number(opt('drain-ms', 5000)),
      warmupSeconds: Number(opt('warmup', 3)),
      // The backend is still compiling its request path after 3 s on a slow machine (event-loop
      // stalls of 20-50 ms up to the end of a 3 s warm-up, on 2026-11-29): 10 s, so the runs
      // measure the steady state.
      httpWarmupSeconds: Number(opt('http-warmup', 10)),
      httpSeconds: Number(opt('http-seconds', 10)),
      httpRate: Number(opt('http-rate', 1000)),
      spawn: !has('no-spawn'),
    };
cfg.textBytes = Number(opt('text-bytes', 100));
cfg.quietWaitS = Number(opt('quiet-wait', 30));
cfg.client = opt('client', 'lean');
cfg.quietPct = Number(opt('quiet-pct', 25));
cfg.http = !has('no-http');
cfg.fanOut = !has('http-only');
cfg.sweepStores = has('sweep-stores');
cfg.profile = has('profile');
cfg.limitRate = has('limit-rate') ? Number(opt('limit-rate')) : null;
const connections = cfg.rooms * cfg.users;
const maxRate = Math.floor(connections * 10 * 0.95);
cfg.rates = cfg.rates.filter((r) => r <= maxRate);

const OUT_JSON = SMOKE ? join(TMP, 'smoke.json') : join(ROOT, opt('out', 'bench/results/latest.json'));
const OUT_SVG = join(ROOT, 'docs/bench/throughput.svg');
const pin = pinning();
const T0 = Date.now();
const log = (s) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- systems under test, their runs interleaved ----------
// Each system has its own server processes and its own load-generator child with its clients
// connected; only one sends at a time. Runs of the systems alternate at every step (raw, ours,
// ours, raw, …), so a disturbance from other users of the machine hits both alike.
class System {
  constructor(target, name = target.name) {
    this.target = target;
    this.section = { name, rates: [], setup: null };
  }
  /** Same servers and clients, results recorded under another name (raw paired with a store). */
  view(name) {
    const v = Object.create(this);
    v.section = { name, rates: [], setup: this.section.setup, pairedWith: true };
    return v;
  }
  async setup(warmupRate) {
    const { target, section } = this;
    log(`== ${section.name}: starting`);
    await target.start(log);
    this.started = true;
    if (target.readyMs) log(`  backend ready, ${(await target.sessionPids()).length} session server(s) registered in ${target.readyMs.toFixed(0)} ms`);
    this.gen = new GeneratorChild(pin.generator, log);
    // Memory per idle connection: settled RSS of the server processes without, then with, N clients.
    const before = await Promise.all((await target.serverPids()).map(async (p) => ({ ...p, rssMb: await settledRssMb(p.pid, SETTLE_MS) })));
    log(`  connecting ${connections} clients (${cfg.rooms} rooms × ${cfg.users})…`);
    const conn = await this.gen.call('connect', {
      ...target.loadArgs(),
      rooms: cfg.rooms,
      usersPerRoom: cfg.users,
      textBytes: cfg.textBytes,
      client: cfg.client,
    });
    log(
      `  ${conn.connections} connected in ${(conn.connectWallMs / 1000).toFixed(2)} s (per client p50 ${conn.connectMs.p50.toFixed(1)} ms, p99 ${conn.connectMs.p99.toFixed(1)} ms)`,
    );
    await sleep(SMOKE ? 100 : 1000);
    const pids = await target.serverPids();
    const after = await Promise.all(pids.map(async (p) => ({ ...p, rssMb: await settledRssMb(p.pid, SETTLE_MS) })));
    const idle = after.map((x) => {
      const b = before.find((y) => y.pid === x.pid);
      const base = b ? b.rssMb : null;
      return {
        role: x.role,
        pid: x.pid,
        rssBeforeMb: base,
        rssIdleMb: x.rssMb,
        perConnectionKb: base == null ? null : ((x.rssMb - base) * 1024) / conn.connections,
      };
    });
    for (const i of idle)
      log(
        `  ${i.role}: RSS ${fmt(i.rssBeforeMb, 1)} → ${fmt(i.rssIdleMb, 1)} MB with ${conn.connections} idle connections = ${fmt(i.perConnectionKb, 1)} KB/connection`,
      );
    section.setup = {
      ...conn,
      idleMemory: idle,
      servers: pids.map(({ pid, role, url, rooms, connections: c }) => ({ pid, role, url, rooms, connections: c })),
    };
    if (cfg.warmupSeconds > 0) {
      log(`  warm-up: ${cfg.warmupSeconds} s at ${warmupRate} msgs/s (not recorded)`);
      await this.gen.call('phase', { rate: warmupRate, seconds: cfg.warmupSeconds, drainMs: cfg.drainMs, progress: false });
    }
  }
  async run(rate, r) {
    const pidsNow = await this.target.serverPids();
    const sampler = new ProcSampler([...pidsNow.map((p) => p.pid), this.gen.pid]);
    log(`  ${this.section.name} @ ${rate} msgs/s, run ${r + 1}/${cfg.runs} (${cfg.seconds} s)…`);
    const gcBefore = await this.gcTotals();
    sampler.start();
    const res = await this.gen.call('phase', { rate, seconds: cfg.seconds, drainMs: cfg.drainMs, progress: cfg.seconds >= 6 });
    const proc = sampler.stop();
    const gcAfter = await this.gcTotals();
    res.sessionGc = gcBefore && gcAfter && gcBefore.length === gcAfter.length ? gcDelta(gcBefore, gcAfter) : null;
    res.processes = pidsNow.map((p) => ({ role: p.role, pid: p.pid, ...proc[p.pid] }));
    res.generator = { pid: this.gen.pid, ...proc[this.gen.pid] };
    res.serverCpuPct = res.processes.reduce((a, p) => a + (p.cpuPct || 0), 0);
    res.machine = proc.machine ?? null;
    log(`    ${describeRun(res)}`);
    return res;
  }
  /** GC totals of the session servers (ours only), null when they cannot be read. */
  async gcTotals() {
    if (!this.target.gcTotals) return null;
    try {
      return await this.target.gcTotals();
    } catch (err) {
      log(`  (session GC figures not read: ${err.message})`);
      return null;
    }
  }
  async teardown() {
    if (this.gen) {
      await this.gen.call('close').catch(() => {});
      await this.gen.call('exit').catch(() => {});
    }
    if (this.started) await this.target.stop();
  }
}

/**
 * Steps through `rates`; at each, `cfg.runs` runs of every system, interleaved. A system in
 * `dropWhenFails` leaves the sweep after the first step it fails, so the others go on to their own
 * limit; the sweep ends when none is left.
 */
async function sweep(systems, rates, { dropWhenFails = [], stopWhenPasses = null } = {}) {
  for (const rate of rates) {
    const runs = new Map(systems.map((x) => [x, []]));
    for (let r = 0; r < cfg.runs; r++) {
      for (const x of r % 2 ? [...systems].reverse() : systems) {
        await sleep(SMOKE ? 100 : 1000);
        if (!SMOKE) await waitForQuietMachine();
        runs.get(x).push(await x.run(rate, r));
      }
    }
    for (const x of systems) {
      const sum = summarize(rate, runs.get(x));
      x.section.rates.push(sum);
      log(
        `  → ${x.section.name} @ ${rate}: ${sum.pass ? 'PASS' : 'FAIL'} (p99 median ${fmt(sum.p99.median, 1)} ms, lost max ${sum.lostMax}, delivered/s median ${fmt(sum.deliveredPerSec.median, 0)}, ${fmt(sum.cpuUsPerDelivery.median, 2)} µs CPU/delivery)`,
      );
    }
    for (const x of dropWhenFails.filter((d) => systems.includes(d) && !d.section.rates.at(-1).pass)) {
      log(`  ${x.section.name} failed at ${rate} msgs/s: not stepping higher`);
      systems = systems.filter((y) => y !== x);
    }
    if (!systems.length) break;
    if (stopWhenPasses && stopWhenPasses.section.rates.at(-1).pass) {
      log(`  ${stopWhenPasses.section.name} passed at ${rate} msgs/s: not stepping lower`);
      break;
    }
  }
}

/**
 * The cores are shared: before a measured run, wait (up to --quiet-wait s) until the machine's busy
 * CPU, with this bench idle, is under --quiet-pct of one core, so other users disturb fewer runs.
 */
async function waitForQuietMachine() {
  const deadline = Date.now() + cfg.quietWaitS * 1000;
  let announced = false;
  for (;;) {
    const a = machineCpuMs();
    await sleep(1000);
    const b = machineCpuMs();
    if (!a || !b) return;
    const busyPct = ((b.busy - a.busy + b.softirq - a.softirq + b.steal - a.steal) / 1000) * 100;
    if (busyPct <= cfg.quietPct) return;
    if (Date.now() > deadline) {
      log(`  the machine is still busy (${busyPct.toFixed(0)}% of a core used by others): measuring anyway`);
      return;
    }
    if (!announced) log(`  the machine is busy (${busyPct.toFixed(0)}% of a core used by others): waiting up to ${cfg.quietWaitS} s for it to calm down…`);
    announced = true;
  }
}

function describeRun(r) {
  const l = r.latencyMs;
  const errs = Object.keys(r.errors).length ? ` errors ${JSON.stringify(r.errors)}` : '';
  const closes = Object.keys(r.unexpectedCloses).length ? ` closes ${JSON.stringify(r.unexpectedCloses)}` : '';
  const gc = r.sessionGc ? `, session GC: ${describeGc(r.sessionGc)}` : '';
  const cpu = r.processes.map((p) => `${p.role.split(' ')[0]} ${fmt(p.cpuPct, 0)}%`).join(', ');
  return (
    `sent ${r.sent} (acked ${r.acks}), delivered ${r.received}/${r.expected} (lost ${r.lost}${r.duplicates ? `, ${r.duplicates} too many` : ''}), ${fmt(r.deliveredPerSec, 0)}/s, ` +
    `p50 ${fmt(l.p50, 2)} p90 ${fmt(l.p90, 2)} p99 ${fmt(l.p99, 2)} max ${fmt(l.max, 1)} ms (p99 to/from the server's stamp ${fmt(r.serverStampSplitMs?.toStamp.p99, 0)}/${fmt(r.serverStampSplitMs?.fromStamp.p99, 0)}), ${fmt(r.bytesPerDelivery, 0)} B/delivery, ` +
    `CPU ${cpu}, generator ${fmt(r.generator.cpuPct, 0)}% (lag max ${fmt(r.maxGeneratorLagMs, 1)} ms), other load on the machine ${fmt(r.machine?.othersPct, 0)}% (kernel softirq ${fmt(r.machine?.softirqPct, 0)}%${r.machine?.stealPct > 1 ? `, steal ${fmt(r.machine.stealPct, 0)}%` : ''})${gc}${errs}${closes}`
  );
}

function summarize(rate, runs) {
  const s = (f) => spread(runs.map(f));
  const roles = [...new Set(runs.flatMap((r) => r.processes.map((p) => p.role)))];
  const processes = roles.map((role) => {
    const ps = runs.map((r) => r.processes.find((p) => p.role === role)).filter(Boolean);
    return {
      role,
      cpuPct: spread(ps.map((p) => p.cpuPct)),
      peakRssMb: Math.max(...ps.map((p) => p.peakRssMb || 0)),
      hwmMb: Math.max(...ps.map((p) => p.hwmMb || 0)),
    };
  });
  const lostMax = Math.max(...runs.map((r) => r.lost));
  const duplicatesMax = Math.max(...runs.map((r) => r.duplicates || 0));
  const unackedMax = Math.max(...runs.map((r) => r.sent - r.acks));
  const p99 = s((r) => r.latencyMs.p99);
  const closes = runs.reduce((n, r) => n + Object.values(r.unexpectedCloses).reduce((a, b) => a + b, 0), 0);
  return {
    rate,
    runs: runs.length,
    pass: lostMax === 0 && duplicatesMax === 0 && p99.median != null && p99.median < P99_LIMIT_MS && closes === 0,
    lostMax,
    duplicatesMax,
    unackedMax,
    unexpectedCloses: closes,
    sent: s((r) => r.sent),
    expected: s((r) => r.expected),
    received: s((r) => r.received),
    deliveredPerSec: s((r) => r.deliveredPerSec),
    p50: s((r) => r.latencyMs.p50),
    p90: s((r) => r.latencyMs.p90),
    p99,
    max: s((r) => r.latencyMs.max),
    toServerStampP99: s((r) => r.serverStampSplitMs?.toStamp.p99),
    fromServerStampP99: s((r) => r.serverStampSplitMs?.fromStamp.p99),
    bytesPerDelivery: s((r) => r.bytesPerDelivery),
    serverCpuPct: s((r) => r.serverCpuPct),
    // Server CPU time per delivered message: the noise-robust efficiency figure (µs of one core).
    cpuUsPerDelivery: s((r) => (r.received ? (r.serverCpuPct / 100) * 1e6 * (r.seconds / r.received) : null)),
    generatorCpuPct: s((r) => r.generator.cpuPct),
    generatorLagMs: s((r) => r.maxGeneratorLagMs),
    otherMachineLoadPct: s((r) => r.machine?.othersPct),
    softirqPct: s((r) => r.machine?.softirqPct),
    // Session servers' GC per run (ours only): pauses of major GCs and of all GCs, old-space growth.
    majorGcMs: s((r) => r.sessionGc?.major.ms),
    gcMs: s((r) => r.sessionGc?.totalMs),
    oldSpaceGrowthMb: s((r) => r.sessionGc?.oldSpaceGrowthMb),
    loopDelayMaxMs: s((r) => r.sessionGc?.loopDelayMaxMs),
    processes,
    detail: runs,
  };
}

// ---------- POST /api/rooms/:roomId at a fixed rate (open loop, bench/lib/paced-http.mjs) ----------
/** Get-or-start of an existing room at cfg.httpRate, in memory mode and (when redis-server exists) Redis mode. */
async function httpBench() {
  const modes = cfg.stores.includes('redis') && redisAvailable() ? ['memory', 'redis'] : ['memory'];
  const out = [];
  for (const mode of modes) out.push(await httpBenchMode(mode));
  return out;
}

async function httpBenchMode(store) {
  const t = new ProductTarget({ core: pin.server, store, sessionMin: 1, sessionMax: 1, maxRooms: 10, env: benchEnv(), nodeArgs: backendNodeArgs() });
  const runs = SMOKE ? 1 : cfg.runs;
  log(
    `== POST /api/rooms/:roomId (${store} mode) for an existing room: ${cfg.httpRate} req/s, open loop, ${cfg.httpWarmupSeconds} s warm-up, then ${runs} × ${cfg.httpSeconds} s`,
  );
  await t.start(log);
  // The load runs in its own process on the generator's core, as the WebSocket load does: in this
  // one, after the WebSocket part, the orchestrator's heap and samplers made the generator itself
  // late (its p99 lag 2–4 ms in a full run against 0.1–0.8 ms in --http-only runs).
  const gen = new GeneratorChild(pin.generator, log);
  try {
    const api = t.api;
    const user = await api.login('bench-http');
    const { roomId } = await api.createRoom(user.token, 'bench http');
    await api.session(user.token, roomId); // placed: the measured calls find it placed
    const load = (seconds, label = '') =>
      gen.call('http', {
        url: `${api.base}/api/rooms/${roomId}`,
        headers: { authorization: `Bearer ${user.token}` },
        rate: cfg.httpRate,
        seconds,
        progressEvery: label ? 5 : 0,
        label,
      });
    if (cfg.httpWarmupSeconds > 0) await load(cfg.httpWarmupSeconds); // JIT and pools warm, not measured
    const detail = [];
    // The backend's CPU (and redis-server's) while it serves the load: how close to saturation the
    // latency was measured, on a machine whose speed changes from day to day.
    const servers = (await t.serverPids()).filter((p) => !p.role.startsWith('session'));
    for (let i = 0; i < runs; i++) {
      const sampler = new ProcSampler(servers.map((p) => p.pid));
      const gcBefore = await gcTotals(api.base).catch(() => null);
      sampler.start();
      const r = await load(cfg.httpSeconds, `    run ${i + 1}/${runs}: `);
      const proc = sampler.stop();
      const gcAfter = await gcTotals(api.base).catch(() => null);
      r.backendGc = gcBefore && gcAfter ? gcDelta([gcBefore], [gcAfter]) : null;
      r.processes = servers.map((p) => ({ role: p.role, pid: p.pid, cpuPct: proc[p.pid]?.cpuPct ?? null }));
      const cpu = r.processes.map((p) => `${p.role} ${fmt(p.cpuPct, 0)}%`).join(', ');
      log(
        `  run ${i + 1}: ${fmt(r.requestsPerSec, 0)} req/s, 2xx ${r.ok2xx}, non-2xx ${r.non2xx}, errors ${r.errors}, p50 ${fmt(r.latencyMs.p50, 2)} ms, p99 ${fmt(r.latencyMs.p99, 2)} ms, max ${fmt(r.latencyMs.max, 1)} ms (generator late p99 ${fmt(r.generatorLagMs.p99, 2)} ms), CPU ${cpu}${r.backendGc ? `, backend GC: ${describeGc(r.backendGc)}` : ''}`,
      );
      detail.push(r);
    }
    const m = (f) => spread(detail.map(f));
    return {
      mode: store,
      offeredRate: cfg.httpRate,
      seconds: cfg.httpSeconds,
      runs,
      requestsPerSec: m((r) => r.requestsPerSec),
      latencyMs: { p50: m((r) => r.latencyMs.p50), p90: m((r) => r.latencyMs.p90), p99: m((r) => r.latencyMs.p99), max: m((r) => r.latencyMs.max) },
      generatorLagP99Ms: m((r) => r.generatorLagMs.p99),
      backendCpuPct: m((r) => r.processes.find((p) => p.role === 'backend')?.cpuPct ?? null),
      non2xx: detail.reduce((n, r) => n + r.non2xx, 0),
      errors: detail.reduce((n, r) => n + r.errors, 0),
      detail,
    };
  } finally {
    await gen.stop();
    await t.stop();
  }
}

// ---------- time to a NEW session process: all servers full ----------
async function spawnBench() {
  const t = new ProductTarget({
    core: pin.server,
    store: 'memory',
    sessionMin: 1,
    sessionMax: 2,
    maxRooms: 1,
    env: { ...benchEnv(), SESSION_SCALE_UP_AT: '1' },
  });
  log('== new session process: SESSION_MIN=1, SESSION_MAX=2, SESSION_MAX_ROOMS=1; fill server 1, then ask for a second room');
  await t.start(log);
  try {
    const api = t.api;
    const user = await api.login('bench-spawn');
    await sleep(SMOKE ? 100 : 500);
    // Rooms are placed when created. Creating the first room fills server 1, which also makes the
    // backend start server 2 ahead of need (prewarm when every server is full); the next request,
    // made at once, is the one that needs the new process and waits for it.
    const retry503 = async (fn) => {
      for (let retries = 0; ; retries++) {
        try {
          return [await fn(), retries];
        } catch (err) {
          if (err.status !== 503 || retries > 1200) throw err;
          await sleep(25);
        }
      }
    };
    const tTrigger = performance.now();
    const fill = (await api.createRoom(user.token, 'fill')).roomId;
    const first = await api.session(user.token, fill);
    const serversBefore = (await api.cluster(user.token)).servers.filter((s) => s.alive !== false).length;
    const t0 = performance.now();
    const [{ roomId }, r1] = await retry503(() => api.createRoom(user.token, 'needs a new server'));
    const tCreate = performance.now() - t0;
    const [sess, r2] = await retry503(() => api.session(user.token, roomId));
    const retries = r1 + r2;
    const tSession = performance.now() - t0;
    await new Promise((resolve, reject) => {
      const ws = new WebSocket(withQuery(sess.url, { token: sess.token }));
      const timer = setTimeout(() => reject(new Error('no welcome within 10 s')), 10000);
      ws.on('message', (d) => {
        if (JSON.parse(d.toString()).event === 'welcome') {
          clearTimeout(timer);
          ws.close();
          resolve();
        }
      });
      ws.on('error', (e) => reject(e));
    });
    const tWelcome = performance.now() - t0;
    const out = {
      createRoomMs: tCreate,
      sessionResponseMs: tSession,
      firstWelcomeMs: tWelcome,
      sinceFillingRequestMs: performance.now() - tTrigger,
      retries503: retries,
      liveServersWhenAsked: serversBefore,
      firstServer: first.serverId,
      newServer: sess.serverId,
      newProcess: first.serverId !== sess.serverId,
    };
    log(
      `  POST /api/rooms answered after ${tCreate.toFixed(0)} ms, session after ${tSession.toFixed(0)} ms (${retries} × 503 before), first welcome after ${tWelcome.toFixed(0)} ms on ${sess.serverId} (first room on ${first.serverId}); ${out.sinceFillingRequestMs.toFixed(0)} ms since the request that filled server 1`,
    );
    return out;
  } finally {
    await t.stop();
  }
}

function backendNodeArgs() {
  return cfg.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(TMP, 'prof')}`] : [];
}

function benchEnv() {
  const env = {};
  if (cfg.profile) {
    mkdirSync(join(TMP, 'prof'), { recursive: true });
    env.SESSION_ENTRY = join(ROOT, 'bench/lib/profiled-session.cjs');
    env.BENCH_SESSION_MAIN = join(ROOT, 'dist/apps/session/main.js');
    env.BENCH_PROF_DIR = join(TMP, 'prof');
  }
  return env;
}

// ---------- output ----------
function fmt(v, d = 0) {
  return v == null || !Number.isFinite(v) ? '–' : v.toFixed(d);
}
/** One line of a run's GC figures (bench/lib/server-gc.mjs gcDelta), for the progress log. */
function describeGc(g) {
  const sign = g.oldSpaceGrowthMb >= 0 ? '+' : '';
  return `${g.major.count} major (${fmt(g.major.ms, 0)} ms), ${g.minor.count} minor (${fmt(g.minor.ms, 0)} ms), old space ${sign}${fmt(g.oldSpaceGrowthMb, 1)} MB, event-loop delay max ${fmt(g.loopDelayMaxMs, 0)} ms`;
}
/** Session servers' GC pauses per run, all kinds and (in brackets) major ones: medians; – for raw. */
const gcCell = (r) => (r.gcMs?.median == null ? '–' : `${fmt(r.gcMs.median, 0)} (${fmt(r.majorGcMs.median, 0)})`);
const sp = (s, d = 0, unit = '') => (s.median == null ? '–' : `${fmt(s.median, d)}${unit} (${fmt(s.min, d)}–${fmt(s.max, d)})`);

function printTable(results) {
  const rows = [
    [
      'system',
      'offered/s',
      'delivered/s med (min–max)',
      'lost',
      'p50 ms',
      'p90 ms',
      'p99 ms med (min–max)',
      'max ms',
      'B/deliv',
      'server CPU %',
      'CPU µs/deliv',
      'GC ms/run (major)',
      'gen CPU %',
      'other load %',
      'pass',
    ],
  ];
  for (const sec of results.sections) {
    for (const r of sec.rates) {
      rows.push([
        sec.name,
        String(r.rate),
        sp(r.deliveredPerSec),
        String(r.lostMax),
        fmt(r.p50.median, 2),
        fmt(r.p90.median, 2),
        sp(r.p99, 1),
        fmt(r.max.median, 1),
        fmt(r.bytesPerDelivery.median, 0),
        sp(r.serverCpuPct),
        fmt(r.cpuUsPerDelivery.median, 2),
        gcCell(r),
        fmt(r.generatorCpuPct.median, 0),
        fmt(r.otherMachineLoadPct.max, 0),
        r.pass ? 'yes' : 'NO',
      ]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const [k, r] of rows.entries()) {
    console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
    if (k === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
  }
  console.log('');
  for (const sec of results.sections) {
    const s = sec.setup;
    if (!s || sec.pairedWith) continue;
    const mem = s.idleMemory
      .filter((m) => !m.role.startsWith('backend') && !m.role.startsWith('redis'))
      .map((m) => `${m.role} ${fmt(m.perConnectionKb, 1)} KB/conn (${fmt(m.rssBeforeMb, 0)}→${fmt(m.rssIdleMb, 0)} MB)`)
      .join('; ');
    const peak = sec.rates.length ? sec.rates[sec.rates.length - 1].processes.map((p) => `${p.role} ${fmt(p.peakRssMb, 0)} MB`).join(', ') : '';
    console.log(
      `${sec.name}: ${s.connections} connections in ${fmt(s.connectWallMs / 1000, 2)} s (per client p50 ${fmt(s.connectMs.p50, 1)} / p99 ${fmt(s.connectMs.p99, 1)} ms${s.sessionRequestMs ? `, session request p99 ${fmt(s.sessionRequestMs.p99, 1)} ms` : ''}); idle memory ${mem}; peak RSS ${peak}`,
    );
  }
  for (const h of results.http ?? []) {
    console.log(
      `POST /api/rooms/:roomId (${h.mode}) @ ${h.offeredRate} req/s: ${fmt(h.requestsPerSec.median, 0)} req/s, p50 ${fmt(h.latencyMs.p50.median, 2)} ms, p99 ${sp(h.latencyMs.p99, 2)} ms, max ${fmt(h.latencyMs.max.median, 1)} ms, non-2xx ${h.non2xx}, errors ${h.errors}, backend CPU ${fmt(h.backendCpuPct?.median, 0)}%`,
    );
  }
  if (results.spawn) {
    const s = results.spawn;
    console.log(
      `new session process (all servers full): room created in ${fmt(s.createRoomMs, 0)} ms, first welcome ${fmt(s.firstWelcomeMs, 0)} ms after the request (${fmt(s.sinceFillingRequestMs, 0)} ms after the request that filled the last slot and started the process; ${s.retries503} × 503; new process: ${s.newProcess})`,
    );
  }
  if (results.comparison) {
    const c = results.comparison;
    if (SMOKE) console.log(`\nsmoke: one tiny step, compared at ${c.atRate} msgs/s (figures not meaningful at this size):`);
    else
      console.log(
        `\nraw ws limit on this machine: ${c.rawLimitRate ?? '–'} msgs/s offered (highest step with p99 < ${P99_LIMIT_MS} ms, nothing lost); compared at ${c.atRate} msgs/s:`,
      );
    for (const x of c.rows) {
      console.log(
        `  ${x.name.padEnd(14)} highest passing step ${x.ownLimit ?? '–'} msgs/s = ${x.ownLimitRatio ? fmt(100 * x.ownLimitRatio, 0) : '–'}% of raw's limit (target ≥ ${x.target * 100}%) → ${x.verdict}; ` +
          `at ${x.rate} msgs/s: delivered/s ${fmt(x.deliveredPerSec, 0)} = ${fmt(100 * x.ratio, 1)}% of raw${x.pairedRaw ? ' (paired runs)' : ''}, p99 ${fmt(x.p99, 1)} ms (raw ${fmt(x.rawP99, 1)}), lost ${x.lost}, server CPU ${fmt(x.serverCpuPct, 0)}%, ` +
          `${fmt(x.cpuUsPerDelivery, 2)} µs CPU/delivery = ${fmt(x.cpuRatio, 2)}× raw, ${fmt(x.bytesPerDelivery, 0)} B/delivery (raw ${fmt(c.raw.bytesPerDelivery, 0)})`,
      );
    }
  }
  console.log(
    '\nCompared: raw = bench/raw-ws-server.mjs (fan-out to every member of the room, sender included, plus an ack; no auth, validation, rate limit, history or persistence) vs ours = dist backend + local session server(s), same envelope shapes; latency is send → every member’s `message`, measured by the load generator’s clock.',
  );
}

function compare(results) {
  const raw = results.sections.find((s) => s.name === 'raw');
  if (!raw) return null;
  const passing = raw.rates.filter((r) => r.pass);
  const rawLimitRate = passing.length ? Math.max(...passing.map((r) => r.rate)) : null;
  const atRate = cfg.limitRate ?? rawLimitRate ?? raw.rates[0]?.rate;
  const rawAt = raw.rates.find((r) => r.rate === atRate);
  const rows = [];
  for (const sec of results.sections) {
    if (sec.name.startsWith('raw')) continue;
    const at = sec.rates.find((r) => r.rate === atRate);
    // A store measured later is compared with the raw runs interleaved with it.
    const paired = results.sections.find((x) => x.name === `raw (paired with ${sec.name})`);
    const rawHere = paired?.rates.find((r) => r.rate === atRate) ?? rawAt;
    if (!at || !rawHere) continue;
    const target = sec.name.includes('memory') ? 0.7 : 0.5;
    const ratio = at.deliveredPerSec.median / rawHere.deliveredPerSec.median;
    const ownPass = sec.rates.filter((r) => r.pass);
    const ownLimit = ownPass.length ? Math.max(...ownPass.map((r) => r.rate)) : null;
    const ownLimitRatio = ownLimit != null && rawLimitRate ? ownLimit / rawLimitRate : null;
    rows.push({
      name: sec.name,
      rate: atRate,
      deliveredPerSec: at.deliveredPerSec.median,
      ratio,
      target,
      p99: at.p99.median,
      lost: at.lostMax,
      serverCpuPct: at.serverCpuPct.median,
      cpuUsPerDelivery: at.cpuUsPerDelivery.median,
      cpuRatio: at.cpuUsPerDelivery.median / rawHere.cpuUsPerDelivery.median,
      rawP99: rawHere.p99.median,
      rawCpuUsPerDelivery: rawHere.cpuUsPerDelivery.median,
      rawDeliveredPerSec: rawHere.deliveredPerSec.median,
      pairedRaw: Boolean(paired),
      bytesPerDelivery: at.bytesPerDelivery.median,
      ownLimitRatio,
      ownLimit,
      passAtRawLimit: at.pass,
      // The target compares sustained rates: our highest step with p99 < 50 ms and nothing lost
      // against raw's. At raw's limit itself an open-loop load is delivered in full either way.
      verdict: ownLimitRatio != null && ownLimitRatio >= target ? 'meets target' : 'MISSES target',
    });
  }
  return {
    rawLimitRate,
    atRate,
    raw: rawAt
      ? {
          deliveredPerSec: rawAt.deliveredPerSec.median,
          p99: rawAt.p99.median,
          serverCpuPct: rawAt.serverCpuPct.median,
          cpuUsPerDelivery: rawAt.cpuUsPerDelivery.median,
          bytesPerDelivery: rawAt.bytesPerDelivery.median,
        }
      : null,
    rows,
  };
}

function resultsMarkdown(results) {
  const m = results.meta;
  const L = [];
  L.push('# Benchmark results (written by `npm run bench`)', '');
  L.push(
    `${m.date} · commit ${m.commit ?? '?'} (dist built: backend ${m.distBuilt?.backend ?? '?'}, session ${m.distBuilt?.session ?? '?'}) · Node ${m.node} · ${m.nproc} cores · ${m.pinning.note}`,
    '',
  );
  L.push(
    `Workload: ${m.config.rooms} rooms × ${m.config.users} clients, ${m.config.textBytes}-character texts, ${m.config.seconds} s per run, median of ${m.config.runs} runs (min–max). Pass = median p99 < ${P99_LIMIT_MS} ms, nothing lost, no socket closed.`,
    '',
  );
  L.push(
    '| system | offered msgs/s | delivered/s | lost | p50 ms | p90 ms | p99 ms | max ms | B/delivery | server CPU % | CPU µs/delivery | session GC ms per run (major) | generator CPU % | other load % | kernel softirq % | pass |',
  );
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const sec of results.sections) {
    for (const r of sec.rates) {
      L.push(
        `| ${sec.name} | ${r.rate} | ${sp(r.deliveredPerSec)} | ${r.lostMax} | ${fmt(r.p50.median, 2)} | ${fmt(r.p90.median, 2)} | ${sp(r.p99, 1)} | ${fmt(r.max.median, 1)} | ${fmt(r.bytesPerDelivery.median, 0)} | ${sp(r.serverCpuPct)} | ${fmt(r.cpuUsPerDelivery.median, 2)} | ${gcCell(r)} | ${fmt(r.generatorCpuPct.median, 0)} | ${fmt(r.otherMachineLoadPct.max, 0)} | ${fmt(r.softirqPct.median, 0)} | ${r.pass ? 'yes' : '**no**'} |`,
      );
    }
  }
  L.push('');
  const c = results.comparison;
  if (c) {
    L.push(
      `**raw ws limit on this machine: ${c.rawLimitRate ?? '–'} msgs/s offered** (${c.rawLimitRate ? c.rawLimitRate * m.config.users : '–'} deliveries/s); compared at ${c.atRate} msgs/s:`,
      '',
    );
    L.push(
      '| system | highest passing step, msgs/s | % of raw’s limit | target | verdict | at raw’s limit: delivered/s (% of raw) | p99 ms (raw) | lost | server CPU % | CPU µs per delivery (× raw) | B/delivery (raw) |',
    );
    L.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of c.rows) {
      L.push(
        `| ${x.name} | ${x.ownLimit ?? '–'} | ${x.ownLimitRatio ? `${fmt(100 * x.ownLimitRatio, 0)} %` : '–'} | ≥ ${x.target * 100} % | ${x.verdict} | ${fmt(x.deliveredPerSec, 0)} (${fmt(100 * x.ratio, 1)} %) | ${fmt(x.p99, 1)} (${fmt(x.rawP99, 1)}) | ${x.lost} | ${fmt(x.serverCpuPct, 0)} | ${fmt(x.cpuUsPerDelivery, 2)} (${fmt(x.cpuRatio, 2)}×) | ${fmt(x.bytesPerDelivery, 0)} (${fmt(c.raw?.bytesPerDelivery, 0)}) |`,
      );
    }
    L.push('');
  }
  L.push('Setup and memory:', '');
  for (const sec of results.sections) {
    const s = sec.setup;
    if (!s || sec.pairedWith) continue;
    const mem = s.idleMemory
      .map(
        (x) =>
          `${x.role}: ${fmt(x.rssBeforeMb, 0)} → ${fmt(x.rssIdleMb, 0)} MB${x.role.startsWith('backend') || x.role.startsWith('redis') ? '' : ` (${fmt(x.perConnectionKb, 1)} KB per idle connection)`}`,
      )
      .join('; ');
    const peak = sec.rates.length
      ? sec.rates.reduce((acc, r) => {
          for (const p of r.processes) acc[p.role] = Math.max(acc[p.role] || 0, p.peakRssMb || 0);
          return acc;
        }, {})
      : {};
    L.push(
      `- ${sec.name}: ${s.connections} clients connected in ${fmt(s.connectWallMs / 1000, 2)} s (per client p50 ${fmt(s.connectMs.p50, 1)} ms, p99 ${fmt(s.connectMs.p99, 1)} ms${s.sessionRequestMs ? `; session request p50 ${fmt(s.sessionRequestMs.p50, 1)} ms, p99 ${fmt(s.sessionRequestMs.p99, 1)} ms` : ''}). Idle RSS: ${mem}. Peak RSS under load: ${Object.entries(
        peak,
      )
        .map(([k, v]) => `${k} ${fmt(v, 0)} MB`)
        .join(', ')}.`,
    );
  }
  for (const h of results.http ?? []) {
    L.push(
      `- \`POST /api/rooms/:roomId\` (existing room, ${h.mode} mode) offered ${h.offeredRate} req/s open loop, ${h.runs} × ${h.seconds} s: ${fmt(h.requestsPerSec.median, 0)} req/s served, p50 ${fmt(h.latencyMs.p50.median, 2)} ms, p90 ${fmt(h.latencyMs.p90.median, 2)} ms, p99 ${sp(h.latencyMs.p99, 2)} ms, max ${sp(h.latencyMs.max, 1)} ms (median (min–max) of runs), non-2xx ${h.non2xx}, errors ${h.errors}; generator late by p99 ${fmt(h.generatorLagP99Ms.median, 2)} ms; backend CPU ${fmt(h.backendCpuPct?.median, 0)} % of a core.`,
    );
  }
  if (results.spawn) {
    const x = results.spawn;
    L.push(
      `- New session process (all servers full): \`POST /api/rooms\` answered in ${fmt(x.createRoomMs, 0)} ms, session in ${fmt(x.sessionResponseMs, 0)} ms, first \`welcome\` on the new server ${fmt(x.firstWelcomeMs, 0)} ms after the request; ${fmt(x.sinceFillingRequestMs, 0)} ms after the request that filled the last slot (which started the process). ${x.retries503} × 503; new process: ${x.newProcess}.`,
    );
  }
  for (const n of results.notes) L.push(`- Note: ${n}`);
  for (const p of results.problems || []) L.push(`- Problem: ${p}`);
  L.push('', '![throughput and p99 against offered rate](throughput.svg)', '');
  return L.join('\n');
}

function writeChart(results) {
  const series = results.sections
    .filter((s) => !s.pairedWith)
    .map((s) => ({ name: s.name, points: s.rates.map((r) => ({ x: r.rate, y: r.deliveredPerSec, p99: r.p99 })) }));
  const m = results.meta;
  const svg = throughputChart({
    series,
    title: 'Room fan-out: our session server vs raw ws',
    subtitle: `${m.config.rooms} rooms × ${m.config.users} clients, ${m.config.seconds} s per run, median of ${m.config.runs} runs (whiskers: min–max); ${m.nproc} cores, ${m.pinning.server != null ? 'server core 0 / generator core 1' : 'unpinned'}; ${m.date.slice(0, 10)}`,
    p99Limit: P99_LIMIT_MS,
    fanout: m.config.users,
  });
  mkdirSync(join(ROOT, 'docs/bench'), { recursive: true });
  writeFileSync(OUT_SVG, svg);
  log(`chart written to ${OUT_SVG.slice(ROOT.length + 1)}`);
}

/** When the measured build was made: dist can be older than the commit. */
function distTimes() {
  const out = {};
  for (const app of ['backend', 'session']) {
    try {
      out[app] = statSync(join(ROOT, `dist/apps/${app}/main.js`)).mtime.toISOString();
    } catch {
      out[app] = null;
    }
  }
  return out;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// ---------- main ----------
process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
process.on('exit', killAllChildren);

async function main() {
  if (pin.generator != null) pinPid(process.pid, pin.generator);
  log(
    `${SMOKE ? 'SMOKE: ' : ''}${connections} clients (${cfg.rooms} rooms × ${cfg.users}), rates ${cfg.rates.join(', ')} msgs/s, ${cfg.seconds} s × ${cfg.runs} run(s) per rate; ${pin.note}`,
  );
  if (cfg.rates.length === 0) throw new Error(`no rate ≤ ${maxRate} msgs/s (${connections} connections × 10/s per-connection limit)`);
  mkdirSync(TMP, { recursive: true });
  const results = {
    meta: {
      date: new Date().toISOString(),
      commit: gitCommit(),
      distBuilt: distTimes(),
      node: process.version,
      nproc: cores(),
      pinning: pin,
      smoke: SMOKE,
      config: cfg,
      p99LimitMs: P99_LIMIT_MS,
    },
    sections: [],
    notes: [],
  };
  const problems = [];
  const product = (store) =>
    new System(
      new ProductTarget({ core: pin.server, store, sessionMin: 1, sessionMax: 1, maxRooms: cfg.rooms + 10, env: benchEnv(), nodeArgs: backendNodeArgs() }),
    );
  const tryStep = async (what, fn) => {
    try {
      await fn();
      return true;
    } catch (err) {
      problems.push(`${what}: ${err.message}`);
      log(`!! ${what} failed: ${err.message}`);
      return false;
    }
  };

  // Raw and ours (memory store) side by side through the rate steps; each stops at its first failed
  // step, so ours goes on alone past raw's limit to its own.
  let raw = null;
  if (cfg.fanOut && cfg.targets.includes('raw')) {
    raw = new System(new RawTarget(pin.server));
    if (!(await tryStep('raw ws', () => raw.setup(cfg.rates[0])))) raw = null;
  }
  let memory = null;
  if (cfg.fanOut && cfg.targets.includes('ours') && cfg.stores.includes('memory')) {
    memory = product('memory');
    if (!(await tryStep('ours (memory)', () => memory.setup(cfg.rates[0])))) {
      await memory.teardown();
      memory = null;
    }
  }
  const first = [raw, memory].filter(Boolean);
  if (first.length) await tryStep('rate steps', () => sweep(first, cfg.rates, { dropWhenFails: SMOKE ? [] : first }));
  for (const x of first) results.sections.push(x.section);
  await memory?.teardown();

  const rawPassing = raw ? raw.section.rates.filter((r) => r.pass).map((r) => r.rate) : [];
  const limit = cfg.limitRate ?? (rawPassing.length ? Math.max(...rawPassing) : cfg.rates[0]);
  if (raw && !rawPassing.length && !SMOKE) results.notes.push(`raw ws passed no step: comparing at ${limit} msgs/s`);

  // Other stores at the comparison rate (or every step with --sweep-stores), each paired with raw again.
  if (cfg.fanOut && cfg.targets.includes('ours')) {
    for (const store of cfg.stores.filter((x) => x !== 'memory')) {
      if (store === 'redis' && !redisAvailable()) {
        const note = 'redis-server not found: the ROOM_STORE=redis section is skipped';
        log(note);
        results.notes.push(note);
        continue;
      }
      // From raw's limit down the steps until the store passes: its own highest passing step.
      const stepsDown = cfg.rates.filter((r) => r <= limit).sort((a, b) => b - a);
      const rates = cfg.sweepStores ? (raw ? raw.section.rates.map((r) => r.rate) : cfg.rates) : stepsDown.length ? stepsDown : [limit];
      const sys = product(store);
      if (await tryStep(`ours (${store})`, () => sys.setup(rates[0]))) {
        const pairedRaw = raw?.view(`raw (paired with ours (${store}))`);
        await tryStep(`ours (${store}) runs`, () => sweep([pairedRaw, sys].filter(Boolean), rates, { stopWhenPasses: cfg.sweepStores ? null : sys }));
        if (pairedRaw) results.sections.push(pairedRaw.section);
        results.sections.push(sys.section);
      }
      await sys.teardown();
    }
  }
  await raw?.teardown();

  if (cfg.targets.includes('ours') && cfg.http) {
    try {
      results.http = await httpBench();
    } catch (err) {
      problems.push(`POST /api/rooms/:roomId benchmark: ${err.message}`);
      log(`!! http benchmark failed: ${err.message}`);
    }
  }
  if (cfg.fanOut && cfg.targets.includes('ours') && cfg.spawn) {
    try {
      results.spawn = await spawnBench();
    } catch (err) {
      problems.push(`new-session-process measurement: ${err.message}`);
      log(`!! new-process measurement failed: ${err.message}`);
    }
  }
  results.comparison = compare(results);
  results.problems = problems;
  mkdirSync(join(OUT_JSON, '..'), { recursive: true });
  writeFileSync(OUT_JSON, JSON.stringify(results, null, 2));
  printTable(results);
  log(`results written to ${OUT_JSON.slice(ROOT.length + 1)}`);
  if (!SMOKE && !has('out')) {
    writeChart(results);
    writeFileSync(join(ROOT, 'docs/bench/RESULTS.md'), resultsMarkdown(results));
    log('summary written to docs/bench/RESULTS.md');
  }
  // Pipeline checks (figures are printed, not asserted): something must have been delivered, and
  // at a tiny smoke rate nothing may be lost.
  for (const sec of results.sections) {
    for (const r of sec.rates) {
      if (!(r.received.max > 0)) problems.push(`${sec.name} @ ${r.rate}: nothing delivered (sent ${r.sent.max}, expected ${r.expected.max})`);
      if (SMOKE && r.lostMax > 0) problems.push(`${sec.name} @ ${r.rate}: ${r.lostMax} deliveries lost at a tiny rate`);
      if (r.duplicatesMax > 0) problems.push(`${sec.name} @ ${r.rate}: ${r.duplicatesMax} deliveries more than expected (duplicates)`);
      if (SMOKE && r.unackedMax > 0) problems.push(`${sec.name} @ ${r.rate}: ${r.unackedMax} sent messages never acknowledged`);
      if (SMOKE && r.unexpectedCloses > 0) problems.push(`${sec.name} @ ${r.rate}: ${r.unexpectedCloses} sockets closed unexpectedly`);
      if (sec.name.startsWith('ours') && r.detail.some((run) => !run.sessionGc))
        problems.push(`${sec.name} @ ${r.rate}: the session servers' GC figures (GET /metrics) could not be read`);
    }
  }
  if (problems.length) {
    console.error(`\nBENCH PIPELINE PROBLEMS:\n - ${problems.join('\n - ')}`);
    process.exitCode = 1;
  } else log(SMOKE ? 'smoke OK: the whole pipeline worked' : 'done');
}

main().catch((err) => {
  console.error(`\nBENCH FAILED: ${err?.stack || err}`);
  killAllChildren();
  process.exit(1);
});
