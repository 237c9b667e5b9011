#!/usr/bin/env node
// Memory per idle connection after a full GC, ours (dist session server, memory store) against raw ws.
//   node bench/idle-memory.mjs [--connections 2000] [--rooms 100]
// `npm run bench` measures RSS growth without forcing a GC (what an operator sees); this isolates
// what a connection keeps alive.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const WebSocket = require('ws');
const ROOT = new URL('..', import.meta.url).pathname;
const arg = (n, d) => (process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d);
const N = arg('connections', 2000);
const ROOMS = arg('rooms', 100);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function measure(which) {
  const port = await freePort();
  const entry = which === 'raw' ? [join(ROOT, 'bench/raw-ws-server.mjs'), '--port', String(port)] : [join(ROOT, 'dist/apps/session/main.js')];
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(ROOT, 'bench/lib/gc-report.cjs'), ...entry], {
    env: { ...process.env, PORT: String(port), SERVER_ID: 'idle', ROOM_STORE: 'memory', MAX_ROOMS: String(ROOMS), BACKEND_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', SESSION_TOKEN_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let last = null;
  const reports = [];
  child.stderr.on('data', (d) => {
    for (const m of d.toString().matchAll(/MEM rss=(\d+) heap=(\d+)/g)) reports.push((last = { rss: Number(m[1]), heap: Number(m[2]) }));
  });
  const settle = async () => {
    const from = reports.length;
    while (reports.length < from + 3) await new Promise((r) => setTimeout(r, 200));
    return last;
  };
  await settle();
  const before = await settle();
  const sockets = [];
  for (let i = 0; i < N; i++) {
    const room = `room-${String(i % ROOMS).padStart(4, '0')}`;
    const token = jwt.sign({ typ: 'session', sub: `u${i}`, name: `user ${i}`, room, aud: 'idle' }, privateKey, { algorithm: 'ES256', expiresIn: 60 });
    const url = which === 'raw' ? `ws://127.0.0.1:${port}/${room}?user=u${i}` : `ws://127.0.0.1:${port}/?token=${token}`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => (ws.once('message', resolve), ws.once('error', reject)));
    sockets.push(ws);
  }
  const after = await settle();
  child.kill('SIGKILL');
  for (const ws of sockets) ws.terminate();
  return { rssKb: (after.rss - before.rss) / 1024 / N, heapKb: (after.heap - before.heap) / 1024 / N };
}

const raw = await measure('raw');
const ours = await measure('ours');
console.log(`idle memory per connection after a full GC, ${N} connections in ${ROOMS} rooms:`);
console.log(`  raw ws : RSS ${raw.rssKb.toFixed(1)} KB, heap ${raw.heapKb.toFixed(1)} KB`);
console.log(`  ours   : RSS ${ours.rssKb.toFixed(1)} KB, heap ${ours.heapKb.toFixed(1)} KB  (RSS ${(ours.rssKb / raw.rssKb).toFixed(2)}× raw, heap ${(ours.heapKb / raw.heapKb).toFixed(2)}× raw)`);
