#!/usr/bin/env node
// Memory per idle connection, ours (dist session server, memory store) against raw ws, two ways:
//   node bench/idle-memory.mjs [--runs 1] [--mode both|bench|gc]
//     [--rooms 50] [--users 20]             (bench mode: as `npm run bench` measures it)
//     [--connections 2000] [--gc-rooms 100] (gc mode)
//     [--node-options '--max-semi-space-size=4'] (bench mode: NODE_OPTIONS for the backend and so
//                                            for the session server it starts; an experiment only)
//
// bench: exactly what `npm run bench` reports as "memory per idle connection": the raw server, and
//   the backend with the one session server it starts, servers pinned to core 0 and the load
//   generator (bench/load.mjs, a child on core 1) connecting rooms × users clients through the real
//   login/session flow; settled RSS (lowest of several samples over 1.5 s) of the server process
//   before and after, divided by the connections. No GC is forced: garbage the handshakes left
//   counts, as an operator sees it.
// gc: each server alone (the session server with a token key of ours, no backend), a full GC once a
//   second (bench/lib/gc-report.cjs): what a connection keeps alive.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, pinning } from './lib/processes.mjs';
import { RawTarget, ProductTarget, settledRssMb } from './lib/targets.mjs';
import { GeneratorChild } from './lib/generator-child.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const WebSocket = require('ws');
const ROOT = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const arg = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const MODE = arg('mode', 'both');
const RUNS = Number(arg('runs', 1));
const ROOMS = Number(arg('rooms', 50));
const USERS = Number(arg('users', 20));
const GC_N = Number(arg('connections', 2000));
const GC_ROOMS = Number(arg('gc-rooms', 100));
const NODE_OPTIONS = arg('node-options', null);
const SETTLE_MS = 1500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// ---------- bench mode: as bench/run.mjs measures it ----------
const pin = pinning();

async function benchWay(which) {
  const target =
    which === 'raw'
      ? new RawTarget(pin.server)
      : new ProductTarget({ core: pin.server, store: 'memory', sessionMin: 1, sessionMax: 1, maxRooms: ROOMS + 10, env: NODE_OPTIONS ? { NODE_OPTIONS } : {} });
  await target.start();
  const gen = new GeneratorChild(pin.generator);
  try {
    const server = async () => (await target.serverPids()).find((p) => p.role === 'raw ws server' || p.role.startsWith('session'));
    const before = await settledRssMb((await server()).pid, SETTLE_MS);
    const conn = await gen.call('connect', { ...target.loadArgs(), rooms: ROOMS, usersPerRoom: USERS, textBytes: 100, client: 'lean' });
    await sleep(1000);
    const after = await settledRssMb((await server()).pid, SETTLE_MS);
    return { kb: ((after - before) * 1024) / conn.connections, beforeMb: before, afterMb: after, connections: conn.connections };
  } finally {
    await gen.stop();
    await target.stop();
  }
}

// ---------- gc mode: each server alone, a full GC before every sample ----------
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function gcWay(which) {
  const port = await freePort();
  const entry = which === 'raw' ? [join(ROOT, 'bench/raw-ws-server.mjs'), '--port', String(port)] : [join(ROOT, 'dist/apps/session/main.js')];
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(ROOT, 'bench/lib/gc-report.cjs'), ...entry], {
    env: {
      ...process.env,
      PORT: String(port),
      SERVER_ID: 'idle',
      ROOM_STORE: 'memory',
      MAX_ROOMS: String(GC_ROOMS),
      BACKEND_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
      SESSION_TOKEN_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let last = null;
  const reports = [];
  child.stderr.on('data', (d) => {
    for (const m of d.toString().matchAll(/MEM rss=(\d+) heap=(\d+)/g)) reports.push((last = { rss: Number(m[1]), heap: Number(m[2]) }));
  });
  const settle = async () => {
    const from = reports.length;
    while (reports.length < from + 3) await sleep(200);
    return last;
  };
  await settle();
  const before = await settle();
  const sockets = [];
  for (let i = 0; i < GC_N; i++) {
    const room = `room-${String(i % GC_ROOMS).padStart(4, '0')}`;
    const token = jwt.sign({ typ: 'session', sub: `u${i}`, name: `user ${i}`, room, aud: 'idle', epoch: 1 }, privateKey, { algorithm: 'ES256', expiresIn: 60 });
    const url = which === 'raw' ? `ws://127.0.0.1:${port}/${room}?user=u${i}` : `ws://127.0.0.1:${port}/?token=${token}`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => (ws.once('message', resolve), ws.once('error', reject)));
    sockets.push(ws);
  }
  const after = await settle();
  child.kill('SIGKILL');
  for (const ws of sockets) ws.terminate();
  return { rssKb: (after.rss - before.rss) / 1024 / GC_N, heapKb: (after.heap - before.heap) / 1024 / GC_N };
}

// ---------- runs ----------
const out = { bench: { raw: [], ours: [] }, gc: { raw: [], ours: [] } };
for (let r = 0; r < RUNS; r++) {
  if (MODE === 'both' || MODE === 'bench') {
    for (const which of r % 2 ? ['ours', 'raw'] : ['raw', 'ours']) {
      const m = await benchWay(which);
      out.bench[which].push(m);
      console.log(
        `run ${r + 1} bench-like ${which.padEnd(4)}: RSS ${m.beforeMb.toFixed(1)} → ${m.afterMb.toFixed(1)} MB with ${m.connections} idle connections = ${m.kb.toFixed(1)} KB/connection`,
      );
    }
  }
  if (MODE === 'both' || MODE === 'gc') {
    for (const which of ['raw', 'ours']) {
      const m = await gcWay(which);
      out.gc[which].push(m);
      console.log(`run ${r + 1} after full GC ${which.padEnd(4)}: RSS ${m.rssKb.toFixed(1)} KB, heap ${m.heapKb.toFixed(1)} KB per connection`);
    }
  }
}
const s = (xs) => (xs.length > 1 ? `median of ${xs.length}` : '1 run');
if (out.bench.raw.length) {
  const raw = median(out.bench.raw.map((m) => m.kb));
  const ours = median(out.bench.ours.map((m) => m.kb));
  console.log(
    `idle memory per connection as \`npm run bench\` measures it (settled RSS growth, no forced GC), ${ROOMS} rooms × ${USERS} clients, ${s(out.bench.raw)}:`,
  );
  console.log(`  raw ws : ${raw.toFixed(1)} KB`);
  console.log(`  ours   : ${ours.toFixed(1)} KB  (${(ours / raw).toFixed(2)}× raw)${NODE_OPTIONS ? `  with NODE_OPTIONS=${NODE_OPTIONS}` : ''}`);
}
if (out.gc.raw.length) {
  const rawR = median(out.gc.raw.map((m) => m.rssKb));
  const rawH = median(out.gc.raw.map((m) => m.heapKb));
  const oursR = median(out.gc.ours.map((m) => m.rssKb));
  const oursH = median(out.gc.ours.map((m) => m.heapKb));
  console.log(`idle memory per connection after a full GC, ${GC_N} connections in ${GC_ROOMS} rooms, ${s(out.gc.raw)}:`);
  console.log(`  raw ws : RSS ${rawR.toFixed(1)} KB, heap ${rawH.toFixed(1)} KB`);
  console.log(
    `  ours   : RSS ${oursR.toFixed(1)} KB, heap ${oursH.toFixed(1)} KB  (RSS ${(oursR / rawR).toFixed(2)}× raw, heap ${(oursH / rawH).toFixed(2)}× raw)`,
  );
}
process.exit(0);
