#!/usr/bin/env node
// `npm run bench -- --curve`: what the same delivery rate costs in different shapes. At a fixed
// total of deliveries per second, it measures the room shapes 1 × 1,000, 10 × 100, 100 × 10 and
// 1,000 × 1 (rooms × users) on one session server, then one shape on 1, 2, 4 and 8 session
// servers. Per point: server CPU per delivery, latency, memory per connection, losses.
// Writes bench/results/curve.json, docs/bench/CURVE.md and docs/bench/curve.svg.
//
//   node bench/curve.mjs [--deliveries 8000] [--seconds 10] [--store sqlite] [--servers-shape 100x10]
//                        [--shapes 1x1000,10x100,100x10,1000x1] [--servers 1,2,4,8] [--smoke]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GeneratorChild } from './lib/generator-child.mjs';
import { pinning, pinPid, killAllChildren } from './lib/processes.mjs';
import { ProcSampler } from './lib/proc-stats.mjs';
import { ProductTarget, settledRssMb, ROOT, TMP } from './lib/targets.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const shapeOf = (s) => {
  const [rooms, users] = s.split('x').map(Number);
  return { rooms, users };
};
const SMOKE = argv.includes('--smoke');
const cfg = {
  deliveries: Number(opt('deliveries', SMOKE ? 200 : 8000)),
  seconds: Number(opt('seconds', SMOKE ? 2 : 10)),
  warmupSeconds: Number(opt('warmup', SMOKE ? 0 : 3)),
  store: opt('store', 'sqlite'),
  shapes: opt('shapes', SMOKE ? '2x5' : '1x1000,10x100,100x10,1000x1')
    .split(',')
    .map(shapeOf),
  servers: opt('servers', SMOKE ? '2' : '1,2,4,8')
    .split(',')
    .map(Number),
  serversShape: shapeOf(opt('servers-shape', SMOKE ? '4x5' : '100x10')),
};
const T0 = Date.now();
const log = (s) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${s}`);
const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const pin = pinning();

/** One point: the product with `sessions` servers, `rooms` × `users` clients, `deliveries`/s. */
async function measure({ rooms, users, sessions }) {
  const rate = cfg.deliveries / users;
  const label = `${rooms} × ${users} on ${sessions} server${sessions > 1 ? 's' : ''}`;
  log(`== ${label}: ${fmt(rate, 0)} msgs/s`);
  const target = new ProductTarget({
    core: pin.server,
    store: cfg.store,
    sessionMin: sessions,
    sessionMax: sessions,
    maxRooms: Math.ceil(rooms / sessions) + 10,
    env: { MAX_MEMBERS: String(Math.max(users, 100)) },
  });
  await target.start(log);
  const gen = new GeneratorChild(pin.generator, log);
  try {
    const sessionRss = async () => {
      const pids = (await target.serverPids()).filter((p) => p.role.startsWith('session'));
      return (await Promise.all(pids.map((p) => settledRssMb(p.pid, 1500)))).reduce((a, b) => a + (b ?? 0), 0);
    };
    const idleMb = await sessionRss();
    const conn = await gen.call('connect', { ...target.loadArgs(), rooms, usersPerRoom: users, concurrency: 50 });
    const connectedMb = await sessionRss();
    if (cfg.warmupSeconds) await gen.call('phase', { rate, seconds: cfg.warmupSeconds, drainMs: 5000, progress: false });
    const pids = await target.serverPids();
    const sessions_ = pids.filter((p) => p.role.startsWith('session'));
    const sampler = new ProcSampler([...pids.map((p) => p.pid), gen.pid], 200);
    sampler.start();
    const r = await gen.call('phase', { rate, seconds: cfg.seconds, drainMs: 5000, progress: false });
    const proc = sampler.stop();
    const sessionCpuPct = sessions_.reduce((a, p) => a + (proc[p.pid]?.cpuPct ?? 0), 0);
    const point = {
      label,
      rooms,
      users,
      sessions,
      rate,
      deliveredPerSec: r.deliveredPerSec,
      lost: r.lost,
      duplicates: r.duplicates,
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      sessionCpuPct,
      backendCpuPct: proc[pids[0].pid]?.cpuPct ?? null,
      // CPU over the sampled window (sending and draining) per delivery in it.
      cpuUsPerDelivery: r.deliveredPerSec ? ((sessionCpuPct / 100) * 1e6) / r.deliveredPerSec : null,
      sessionRssMb: connectedMb,
      kbPerConnection: ((connectedMb - idleMb) * 1024) / conn.connections,
      idleServerMb: idleMb / sessions,
      connectSeconds: conn.connectWallMs / 1000,
    };
    log(
      `   delivered ${fmt(point.deliveredPerSec, 0)}/s, lost ${point.lost}, p50 ${fmt(point.p50, 2)} p99 ${fmt(point.p99, 1)} ms, session CPU ${fmt(point.sessionCpuPct, 0)} % = ${fmt(point.cpuUsPerDelivery, 2)} µs/delivery, ${fmt(point.kbPerConnection, 1)} KB/connection, ${fmt(point.idleServerMb, 0)} MB per idle server`,
    );
    return point;
  } finally {
    await gen.call('close').catch(() => {});
    await gen.call('exit').catch(() => {});
    await target.stop();
  }
}

function markdown(result) {
  const L = ['# Cost curve (written by `npm run bench -- --curve`)', ''];
  const m = result.meta;
  L.push(
    `${m.date} · Node ${m.node} · ${m.pinning} · store ${cfg.store} · ${cfg.deliveries} deliveries/s in every point, ${cfg.seconds} s per point after ${cfg.warmupSeconds} s of warm-up, one run each.`,
    '',
  );
  const table = (title, points) => {
    L.push(`## ${title}`, '');
    L.push(
      '| shape | session servers | msgs/s | delivered/s | lost | p50 ms | p99 ms | session CPU % | CPU µs/delivery | KB/connection | MB per idle server |',
    );
    L.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const p of points)
      L.push(
        `| ${p.rooms} × ${p.users} | ${p.sessions} | ${fmt(p.rate, 0)} | ${fmt(p.deliveredPerSec, 0)} | ${p.lost} | ${fmt(p.p50, 2)} | ${fmt(p.p99, 1)} | ${fmt(p.sessionCpuPct, 0)} | ${fmt(p.cpuUsPerDelivery, 2)} | ${fmt(p.kbPerConnection, 1)} | ${fmt(p.idleServerMb, 0)} |`,
      );
    L.push('');
  };
  table('Room shapes, one session server', result.shapes);
  table(`Session servers, ${cfg.serversShape.rooms} × ${cfg.serversShape.users}`, result.servers);
  L.push('![CPU per delivery and p99 for each point](curve.svg)', '');
  return L.join('\n');
}

/** Bars of CPU µs per delivery, one per point, p99 written above each. */
function chart(result) {
  const points = [...result.shapes, ...result.servers];
  const W = 980;
  const H = 380;
  const left = 70;
  const top = 60;
  const plotH = 240;
  const slot = (W - left - 20) / Math.max(1, points.length);
  const yMax = Math.max(1, ...points.map((p) => p.cpuUsPerDelivery ?? 0)) * 1.2;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="600">Cost of ${cfg.deliveries} deliveries/s: session-server CPU per delivery (bars), p99 (above)</text>`,
    `<text x="${left}" y="44" fill="#555">${esc(`${result.meta.date.slice(0, 10)} · store ${cfg.store} · left: room shapes on 1 server; right: ${cfg.serversShape.rooms} × ${cfg.serversShape.users} on 1–8 servers`)}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${W - 20}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">µs CPU / delivery</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (yMax / 4) * t;
    const y = top + plotH - (v / yMax) * plotH;
    out.push(
      `<line x1="${left - 4}" y1="${y}" x2="${W - 20}" y2="${y}" stroke="#eee"/><text x="${left - 8}" y="${y + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  points.forEach((p, i) => {
    const x = left + i * slot + slot * 0.2;
    const h = ((p.cpuUsPerDelivery ?? 0) / yMax) * plotH;
    const color = i < result.shapes.length ? '#16a34a' : '#2563eb';
    out.push(`<rect x="${x}" y="${top + plotH - h}" width="${slot * 0.6}" height="${h}" fill="${color}"/>`);
    out.push(`<text x="${x + slot * 0.3}" y="${top + plotH - h - 6}" text-anchor="middle">${fmt(p.cpuUsPerDelivery, 2)} µs · p99 ${fmt(p.p99, 0)} ms</text>`);
    out.push(`<text x="${x + slot * 0.3}" y="${top + plotH + 18}" text-anchor="middle">${p.rooms} × ${p.users}</text>`);
    out.push(`<text x="${x + slot * 0.3}" y="${top + plotH + 34}" text-anchor="middle" fill="#555">${p.sessions} server${p.sessions > 1 ? 's' : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

async function main() {
  if (pin.generator != null) pinPid(process.pid, pin.generator);
  mkdirSync(TMP, { recursive: true });
  const result = { meta: { date: new Date().toISOString(), node: process.version, pinning: pin.note }, config: cfg, shapes: [], servers: [] };
  for (const shape of cfg.shapes) result.shapes.push(await measure({ ...shape, sessions: 1 }));
  for (const sessions of cfg.servers) result.servers.push(await measure({ ...cfg.serversShape, sessions }));
  const out = join(ROOT, SMOKE ? 'bench/results/tmp/curve-smoke.json' : 'bench/results/curve.json');
  writeFileSync(out, JSON.stringify(result, null, 2));
  log(`results written to ${out.slice(ROOT.length + 1)}`);
  if (!SMOKE) {
    writeFileSync(join(ROOT, 'docs/bench/CURVE.md'), markdown(result));
    writeFileSync(join(ROOT, 'docs/bench/curve.svg'), chart(result));
    log('docs/bench/CURVE.md and docs/bench/curve.svg written');
  }
  const lost = [...result.shapes, ...result.servers].filter((p) => p.lost > 0 || p.duplicates > 0);
  if (lost.length) {
    console.error(`losses or duplicates in: ${lost.map((p) => p.label).join(', ')}`);
    process.exitCode = 1;
  }
}

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
process.on('exit', killAllChildren);
main().catch((err) => {
  console.error(`\nCURVE BENCH FAILED: ${err?.stack || err}`);
  killAllChildren();
  process.exit(1);
});
