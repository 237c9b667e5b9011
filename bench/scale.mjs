#!/usr/bin/env node
// `npm run bench -- --scale`: many connections on this one machine. The product as `npm start` runs
// it (backend + local session servers, SQLite store), 1,000 rooms × 100 members by default, every
// client logged in as its own user, fetching its own session and welcomed; then the rooms chat at
// a fixed total rate. Prints the time to connect them all, memory per connection (session servers
// and backend), and the chat's latency and losses.
//
//   node bench/scale.mjs [--rooms 1000] [--users 100] [--sessions 8] [--rates 200,300,500,1000] [--seconds 20]
//                        [--concurrency 200] [--no-pin] [--store sqlite] [--max-members N] [--env=NAME=value] [--out bench/results/scale.json] [--smoke]
//                        [--target both|raw|ours] [--profile]
//
// --profile: the session servers run under the V8 CPU profiler (bench/lib/profiled-session.cjs),
// started after every client is welcomed: one profile of the idle phase, then one per chat rate,
// with each window's event-loop delay and GC pauses, in bench/results/tmp/prof-scale-<time>/.
//
// --target raw|ours|both (default both): raw first, the same shape and rates against the least a
// `ws` fan-out can do (bench/raw-ws-server.mjs), one raw relay per session server (--sessions),
// rooms dealt over them: no logins, no backend, no pings, no store. What the machine itself allows
// at this shape; ours is read against it (p99, CPU per delivery) in the same run.
//
// File descriptors: every connection is one fd in a session server and one in a generator. The
// bench tries to raise its limit (inherited by everything it starts) as a deployment raises its
// servers' (systemd LimitNOFILE, the container runtime's nofile). Where it cannot (a container
// without CAP_SYS_RESOURCE: here the hard limit is 20,000 even for root), it spreads the clients
// over enough generator processes, and the default of 8 session servers keeps each under it; a
// session server warns at start-up when its limit is below what it may hold (docs/deployment.md).
// Each generator holds whole rooms (senders and receivers share its clock), so latency is measured
// as before; the figures of the generators are merged (p99: the highest of theirs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GeneratorChild } from './lib/generator-child.mjs';
import { gcDelta } from './lib/server-gc.mjs';
import { pinning, pinPid, killAllChildren } from './lib/processes.mjs';
import { ProcSampler } from './lib/proc-stats.mjs';
import { ProductTarget, RawTarget, settledRssMb, ROOT, TMP } from './lib/targets.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const SMOKE = argv.includes('--smoke');
const cfg = {
  rooms: Number(opt('rooms', SMOKE ? 4 : 1000)),
  users: Number(opt('users', SMOKE ? 5 : 100)),
  sessions: Number(opt('sessions', SMOKE ? 2 : 8)),
  rates: opt('rates', SMOKE ? '20' : '200,300,500,1000')
    .split(',')
    .map(Number),
  seconds: Number(opt('seconds', SMOKE ? 2 : 20)),
  concurrency: Number(opt('concurrency', 200)),
  store: opt('store', 'sqlite'),
  /** raw, ours, or both (raw first: the same shape and rates against the least a `ws` relay does). */
  target: opt('target', 'both'),
  p99LimitMs: 100,
  /** Unique users a room takes: the room size by default, so every room is full (and its heartbeat entry lists its members). */
  maxMembers: Number(opt('max-members', opt('users', SMOKE ? 5 : 100))),
};
const PROFILE_DIR = argv.includes('--profile') ? join(TMP, `prof-scale-${new Date().toISOString().replace(/[:.]/g, '-')}`) : null;
const OUT = join(ROOT, opt('out', SMOKE ? 'bench/results/tmp/scale-smoke.json' : 'bench/results/scale.json'));
const NOFILE = 1_048_576;
const IDLE_MS = SMOKE ? 2000 : 10_000;
const T0 = Date.now();
const log = (s) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${s}`);
const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

/** Raises this process's open-file limit (root, Linux); children started after this inherit it. */
function raiseFileLimit() {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${NOFILE}:${NOFILE}`], { stdio: 'ignore' });
  } catch {
    // Not permitted in this container: the limit stays what it is.
  }
  return Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || null;
}

/** Sums the generators' counts; percentiles: the median of their medians, the highest of their p99s. */
function merge(phases) {
  const sum = (k) => phases.reduce((a, p) => a + p[k], 0);
  const p50s = phases.map((p) => p.latencyMs.p50).sort((a, b) => a - b);
  const closes = {};
  for (const p of phases) for (const [k, v] of Object.entries(p.unexpectedCloses)) closes[k] = (closes[k] ?? 0) + v;
  return {
    sent: sum('sent'),
    acks: sum('acks'),
    expected: sum('expected'),
    received: sum('received'),
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    deliveredPerSec: sum('deliveredPerSec'),
    latencyMs: {
      p50: p50s[Math.floor(p50s.length / 2)],
      p99: Math.max(...phases.map((p) => p.latencyMs.p99)),
      max: Math.max(...phases.map((p) => p.latencyMs.max)),
    },
    // Where the tail is: before the server stamped the message (send → ts) or after (ts → received,
    // the fan-out and the receiving generator), and how late the generators' own send timers ran.
    serverStampSplitMs: {
      toStampP99: Math.max(...phases.map((p) => p.serverStampSplitMs?.toStamp?.p99 ?? 0)),
      fromStampP99: Math.max(...phases.map((p) => p.serverStampSplitMs?.fromStamp?.p99 ?? 0)),
    },
    maxGeneratorLagMs: Math.max(...phases.map((p) => p.maxGeneratorLagMs ?? 0)),
    generatorLoopDelayMaxMs: Math.max(...phases.map((p) => p.generatorLoop?.loopDelayMaxMs ?? 0)),
    generatorGcMaxMs: Math.max(...phases.map((p) => p.generatorLoop?.gc.maxMs ?? 0)),
    generatorGcMs: phases.reduce((a, p) => a + (p.generatorLoop?.gc.totalMs ?? 0), 0),
    unexpectedCloses: closes,
    generators: phases.length,
  };
}

async function rssOf(target) {
  const pids = await target.serverPids();
  return Promise.all(pids.map(async (p) => ({ role: p.role, pid: p.pid, rssMb: await settledRssMb(p.pid, 2000) })));
}

async function main() {
  // --no-pin: every process on every core (the servers get whatever the generators leave).
  const pin = argv.includes('--no-pin') ? { server: null, generator: null, note: 'unpinned (--no-pin)' } : pinning();
  if (pin.generator != null) pinPid(process.pid, pin.generator);
  const connections = cfg.rooms * cfg.users;
  if (!['ours', 'raw', 'both'].includes(cfg.target)) throw new Error(`--target ${cfg.target}: ours, raw or both`);
  const kinds = cfg.target === 'both' ? ['raw', 'ours'] : [cfg.target];
  log(
    `${connections} connections (${cfg.rooms} rooms × ${cfg.users}), ${kinds.map((k) => (k === 'raw' ? `${cfg.sessions} raw ws relays` : `ours: ${cfg.sessions} session servers, store ${cfg.store}`)).join(', then ')}; ${pin.note}`,
  );
  const nofile = raiseFileLimit();
  // Room-whole shares of the clients, each under the file limit with room to spare.
  const perGenerator = Math.max(cfg.users, Math.floor(((nofile ?? NOFILE) * 0.75) / cfg.users) * cfg.users);
  const generators = Math.ceil(connections / perGenerator);
  log(`open-file limit ${nofile ?? 'unknown'}: ${generators} generator process(es)`);
  const result = { meta: { date: new Date().toISOString(), node: process.version, nofile, generators, pinning: pin.note }, config: cfg };
  for (const kind of kinds) {
    log(`— ${kind === 'raw' ? 'raw ws (the baseline)' : 'ours'} —`);
    result[kind] = await measure(kind, pin, generators);
  }
  if (result.raw && result.ours) for (const line of comparison(result)) log(line);
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2));
  log(`results written to ${OUT.slice(ROOT.length + 1)}`);
  if (!SMOKE && !argv.includes('--out') && result.ours) {
    writeFileSync(join(ROOT, 'docs/bench/SCALE.md'), markdown(result));
    log('summary written to docs/bench/SCALE.md');
  }
  const chats = result.ours?.chats ?? result.raw?.chats;
  if (!chats?.length || chats.some((c) => c.lost || c.duplicates)) process.exitCode = 1;
}

/** Connects every client to `kind` (raw relays or our product), holds them idle, then chats at each rate. */
async function measure(kind, pin, generators) {
  const connections = cfg.rooms * cfg.users;
  const roomsOf = (g) => Math.floor(cfg.rooms / generators) + (g < cfg.rooms % generators ? 1 : 0);
  const maxRooms = Math.ceil(cfg.rooms / cfg.sessions) + 10;
  const target =
    kind === 'raw'
      ? new RawTarget(pin.server, cfg.sessions)
      : new ProductTarget({
          core: pin.server,
          store: cfg.store,
          sessionMin: cfg.sessions,
          sessionMax: cfg.sessions,
          maxRooms,
          env: {
            MAX_MEMBERS: String(cfg.maxMembers),
            ...(PROFILE_DIR
              ? {
                  SESSION_ENTRY: join(ROOT, 'bench/lib/profiled-session.cjs'),
                  BENCH_SESSION_MAIN: join(ROOT, 'dist/apps/session/main.js'),
                  BENCH_PROF_DIR: PROFILE_DIR,
                  BENCH_PROF_LAZY: '1',
                }
              : {}),
            ...Object.fromEntries(argv.filter((a) => a.startsWith('--env=')).map((a) => /^([^=]+)=(.*)$/s.exec(a.slice(6)).slice(1))),
          },
        });
  await target.start(log);
  const gens = Array.from({ length: generators }, () => new GeneratorChild(pin.generator, log));
  try {
    const before = await rssOf(target);
    log(`logging in ${connections} users and connecting them (${cfg.concurrency} at a time)…`);
    const t0 = performance.now();
    const conns = await Promise.all(
      gens.map((gen, g) =>
        gen.call('connect', { ...target.loadArgs(), rooms: roomsOf(g), usersPerRoom: cfg.users, concurrency: Math.ceil(cfg.concurrency / generators) }),
      ),
    );
    const conn = {
      connections: conns.reduce((a, c) => a + c.connections, 0),
      loginWallMs: Math.max(...conns.map((c) => c.loginWallMs)),
      connectWallMs: Math.max(...conns.map((c) => c.connectWallMs)),
      totalSetupMs: performance.now() - t0,
      sessionRequestMs: { p50: conns[0].sessionRequestMs?.p50, p99: Math.max(...conns.map((c) => c.sessionRequestMs?.p99 ?? 0)) },
      connectMs: { p99: Math.max(...conns.map((c) => c.connectMs.p99)) },
      rerouted: conns.reduce((a, c) => a + (c.rerouted ?? 0), 0),
      retried503: conns.reduce((a, c) => a + (c.retried503 ?? 0), 0),
      welcomeTimeouts: conns.reduce((a, c) => a + (c.welcomeTimeouts ?? 0), 0),
    };
    log(
      `${conn.connections} welcomed: logins ${fmt(conn.loginWallMs / 1000)} s, connects ${fmt(conn.connectWallMs / 1000)} s (session request p99 ${fmt(conn.sessionRequestMs?.p99)} ms, connect p99 ${fmt(conn.connectMs.p99)} ms), ${fmt(conn.totalSetupMs / 1000)} s in all; ${conn.rerouted} asked the backend again after a 4404/1012 before their welcome, ${conn.retried503} after a 503, ${conn.welcomeTimeouts} after no welcome in 15 s`,
    );
    const after = await rssOf(target);
    const memory = after.map((a) => {
      const b = before.find((x) => x.pid === a.pid);
      const share = a.role.startsWith('session') || a.role.startsWith('raw') ? conn.connections / cfg.sessions : conn.connections;
      return { ...a, rssBeforeMb: b?.rssMb ?? null, perConnectionKb: b ? ((a.rssMb - b.rssMb) * 1024) / share : null };
    });
    for (const m of memory)
      log(
        `  ${m.role}: RSS ${fmt(m.rssBeforeMb, 0)} → ${fmt(m.rssMb, 0)} MB (${fmt(m.perConnectionKb, 2)} KB per connection${m.role.startsWith('session') ? ' it holds' : ''})`,
      );
    const pids = await target.serverPids();
    // --profile: each SIGUSR2 writes the session servers' window so far and starts the next one.
    let window = 0;
    const nextProfileWindow = (label) => {
      if (!PROFILE_DIR) return;
      for (const p of pids) if (p.role.startsWith('session')) process.kill(p.pid, 'SIGUSR2');
      if (label) log(`  profiling ${label}: window ${++window} (session-<pid>-${window}.cpuprofile)`);
    };
    if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
    nextProfileWindow('idle');
    // What holding the connections costs with nobody talking: pings, heartbeats, timers.
    const idleSampler = new ProcSampler(
      pids.map((p) => p.pid),
      500,
    );
    idleSampler.start();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleProc = idleSampler.stop();
    const idle = Object.fromEntries(pids.map((p) => [p.role, idleProc[p.pid]?.cpuPct ?? null]));
    const idleTotal = Object.values(idle).reduce((a, b) => a + (b ?? 0), 0);
    log(`idle, ${IDLE_MS / 1000} s: servers' CPU ${fmt(idleTotal, 0)} % of a core (backend ${fmt(idle.backend, 0)} %)`);
    const chats = [];
    // Each rate in turn on the same connections, lowest first: a rate the servers cannot keep up with leaves a backlog that would spill into the next phase.
    for (const rate of cfg.rates) {
      nextProfileWindow(`chat at ${rate} msgs/s`);
      const sampler = new ProcSampler([...pids.map((p) => p.pid), ...gens.map((g) => g.pid)], 500);
      log(`chat: ${rate} msgs/s for ${cfg.seconds} s (${rate * cfg.users} deliveries/s)…`);
      // The session servers' GC pauses and event-loop delay during the phase (ours only: raw has no /metrics).
      const gcBefore = target.gcTotals ? await target.gcTotals().catch(() => null) : null;
      sampler.start();
      const phase = merge(
        await Promise.all(
          gens.map((gen, g) => gen.call('phase', { rate: (rate * roomsOf(g)) / cfg.rooms, seconds: cfg.seconds, drainMs: 10_000, progress: g === 0 })),
        ),
      );
      const proc = sampler.stop();
      const gcAfter = gcBefore ? await target.gcTotals().catch(() => null) : null;
      const gc = gcBefore && gcAfter?.length === gcBefore.length ? gcDelta(gcBefore, gcAfter) : null;
      const generatorCpuPct = gens.reduce((a, g) => a + (proc[g.pid]?.cpuPct ?? 0), 0);
      const serverCpuPct = pids.reduce((a, p) => a + (proc[p.pid]?.cpuPct ?? 0), 0);
      const pass = phase.lost === 0 && phase.duplicates === 0 && phase.latencyMs.p99 < cfg.p99LimitMs && Object.keys(phase.unexpectedCloses).length === 0;
      log(
        `${pass ? 'PASS' : 'FAIL'} at ${rate} msgs/s: sent ${phase.sent} (acked ${phase.acks}), delivered ${phase.received}/${phase.expected} (lost ${phase.lost}, duplicates ${phase.duplicates}), p50 ${fmt(phase.latencyMs.p50, 2)} p99 ${fmt(phase.latencyMs.p99, 1)} max ${fmt(phase.latencyMs.max, 0)} ms, server CPU ${fmt(serverCpuPct, 0)} %, generators' CPU ${fmt(generatorCpuPct, 0)} %, closes ${JSON.stringify(phase.unexpectedCloses)}`,
      );
      log(
        `  p99 send → server stamp ${fmt(phase.serverStampSplitMs.toStampP99, 1)} ms, stamp → received ${fmt(phase.serverStampSplitMs.fromStampP99, 1)} ms; generators' send timers up to ${fmt(phase.maxGeneratorLagMs, 0)} ms late, their event loops up to ${fmt(phase.generatorLoopDelayMaxMs, 0)} ms behind, their GC ${fmt(phase.generatorGcMs, 0)} ms (longest pause ${fmt(phase.generatorGcMaxMs, 0)} ms)`,
      );
      if (gc)
        log(
          `  session servers' GC: ${gc.minor.count} minor (${fmt(gc.minor.ms, 0)} ms), ${gc.major.count} major (${fmt(gc.major.ms, 0)} ms), ${gc.incremental.count} incremental (${fmt(gc.incremental.ms, 0)} ms); event-loop delay max ${fmt(gc.loopDelayMaxMs, 0)} ms`,
        );
      chats.push({ rate, ...phase, serverCpuPct, generatorCpuPct, pass, gc, processes: pids.map((p) => ({ role: p.role, ...proc[p.pid] })) });
    }
    nextProfileWindow(null);
    if (PROFILE_DIR) log(`profiles in ${PROFILE_DIR.slice(ROOT.length + 1)} (node bench/profile-top.mjs <file>)`);
    return { connect: conn, memory, idleCpuPct: { total: idleTotal, ...idle }, chats };
  } catch (err) {
    // What the servers said (warnings and errors; LOG_LEVEL=warn), for a run that broke.
    if (target.output?.text) console.error(`\nthe backend's and session servers' last output:\n${target.output.text}`);
    throw err;
  } finally {
    for (const gen of gens) {
      await gen.call('close').catch(() => {});
      await gen.call('exit').catch(() => {});
    }
    await target.stop();
  }
}

/** Per rate: ours against raw from the same run (p99, and the servers' CPU per delivery). */
function comparison(r) {
  const perDeliveryUs = (chat) => (chat && chat.deliveredPerSec ? (chat.serverCpuPct * 1e4) / chat.deliveredPerSec : null);
  return r.ours.chats.map((o) => {
    const w = r.raw.chats.find((c) => c.rate === o.rate);
    const ratio = w ? perDeliveryUs(o) / perDeliveryUs(w) : null;
    return `at ${o.rate} msgs/s: p99 ours ${fmt(o.latencyMs.p99, 1)} ms (${o.pass ? 'pass' : 'fail'}), raw ${fmt(w?.latencyMs.p99, 1)} ms (${w?.pass ? 'pass' : 'fail'}); servers' CPU per delivery ours ${fmt(perDeliveryUs(o), 2)} µs, raw ${fmt(perDeliveryUs(w), 2)} µs (${fmt(ratio, 2)}×)`;
  });
}

function markdown(r) {
  const L = ['# Connections on one machine (written by `npm run bench -- --scale`)', ''];
  L.push(
    `${r.meta.date} · Node ${r.meta.node} · ${r.meta.pinning} · open-file limit ${r.meta.nofile ?? 'unknown'} per process, so ${r.meta.generators} generator processes · ${cfg.rooms} rooms × ${cfg.users} users · ours: store ${cfg.store}, ${cfg.sessions} session servers${r.raw ? `; raw: ${cfg.sessions} raw \`ws\` relays (bench/raw-ws-server.mjs), rooms dealt over them` : ''}`,
    '',
  );
  const o = r.ours;
  const c = o.connect;
  L.push(
    `- **${c.connections} connections** (each user logged in on its own and holding its own session token), all welcomed: logins ${fmt(c.loginWallMs / 1000)} s, session requests and connects ${fmt(c.connectWallMs / 1000)} s (${cfg.concurrency} at a time; session request p50 ${fmt(c.sessionRequestMs?.p50)} ms, p99 ${fmt(c.sessionRequestMs?.p99)} ms), ${fmt(c.totalSetupMs / 1000)} s in all${r.raw ? ` (raw: ${fmt(r.raw.connect.totalSetupMs / 1000)} s, no logins, no tokens, no presence)` : ''}; ${c.rerouted} clients were moved (4404/1012) before their welcome and asked the backend again, as the contract says; ${c.retried503 ?? 0} got a 503 and tried again, ${c.welcomeTimeouts ?? 0} got no welcome within 15 s and tried again.`,
  );
  L.push(
    `- Holding them with nobody talking (${IDLE_MS / 1000} s): the servers used ${fmt(o.idleCpuPct.total, 0)} % of a core (backend ${fmt(o.idleCpuPct.backend, 0)} %)${r.raw ? `; raw ${fmt(r.raw.idleCpuPct.total, 0)} % (it sends no pings and no heartbeats)` : ''}.`,
  );
  for (const m of o.memory)
    L.push(
      `- ${m.role}: RSS ${fmt(m.rssBeforeMb, 0)} → ${fmt(m.rssMb, 0)} MB, ${fmt(m.perConnectionKb, 2)} KB per connection${m.role.startsWith('session') ? ' it holds' : ''}.`,
    );
  if (r.raw) {
    const kb = r.raw.memory.map((m) => m.perConnectionKb).filter((x) => x != null);
    L.push(`- raw relays: ${fmt(kb.reduce((a, b) => a + b, 0) / kb.length, 2)} KB per connection each holds.`);
  }
  L.push(
    '',
    '| msgs/s (deliveries/s) | ours p50 / p99 / max (ms) | raw p50 / p99 / max (ms) | servers’ CPU ours / raw (% of a core) | CPU per delivery ours / raw | generators’ CPU, loop lag max: ours / raw | lost, duplicates: ours / raw |',
    '|---|---|---|---|---|---|---|',
  );
  for (const chat of o.chats) {
    const w = r.raw?.chats.find((x) => x.rate === chat.rate);
    const us = (x) => (x?.deliveredPerSec ? (x.serverCpuPct * 1e4) / x.deliveredPerSec : null);
    const lat = (x) => (x ? `${fmt(x.latencyMs.p50, 1)} / **${fmt(x.latencyMs.p99, 1)}** / ${fmt(x.latencyMs.max, 0)} ${x.pass ? '(pass)' : '(fail)'}` : '–');
    L.push(
      `| ${chat.rate} (${chat.rate * cfg.users}) | ${lat(chat)} | ${lat(w)} | ${fmt(chat.serverCpuPct, 0)} / ${fmt(w?.serverCpuPct, 0)} | ${fmt(us(chat), 2)} / ${fmt(us(w), 2)} µs (${fmt(w ? us(chat) / us(w) : null, 2)}×) | ${fmt(chat.generatorCpuPct, 0)} %, ${fmt(chat.generatorLoopDelayMaxMs, 0)} ms / ${fmt(w?.generatorCpuPct, 0)} %, ${fmt(w?.generatorLoopDelayMaxMs, 0)} ms | ${chat.lost}, ${chat.duplicates} / ${w ? `${w.lost}, ${w.duplicates}` : '–'} |`,
    );
  }
  L.push(
    '',
    `Pass: p99 < ${cfg.p99LimitMs} ms, nothing lost, no unexpected close. p50 is the median of the generators' medians; p99 and max the highest of theirs. Each rate for ${cfg.seconds} s on the same connections, lowest first. CPU per delivery is the servers' whole CPU over the deliveries, so ours carries its fixed cost of holding the connections (pings, heartbeats), which raw does not pay. A generator whose event loop lags reads its deliveries late: that lag is in the latencies.`,
    '',
  );
  return L.join('\n');
}

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
process.on('exit', killAllChildren);
mkdirSync(TMP, { recursive: true });
main().catch((err) => {
  console.error(`\nSCALE BENCH FAILED: ${err?.stack || err}`);
  killAllChildren();
  process.exit(1);
});
