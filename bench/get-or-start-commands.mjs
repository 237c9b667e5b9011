#!/usr/bin/env node
// Redis commands per get-or-start (POST /api/rooms/:roomId) of a placed room, in Redis mode: starts
// the built backend with a private redis-server (never the system one at 6379), makes N calls one
// after the other under MONITOR, and counts the top-level commands per call by connection name
// (commands a script runs inside Redis are not counted: they cost no round trip).
//
//   node bench/get-or-start-commands.mjs [--calls 200]
import Redis from 'ioredis';
import { ProductTarget } from './lib/targets.mjs';
import { pinning } from './lib/processes.mjs';

const argv = process.argv.slice(2);
const calls = argv.includes('--calls') ? Number(argv[argv.indexOf('--calls') + 1]) : 200;

const t = new ProductTarget({ core: pinning().server, store: 'redis', sessionMin: 1, sessionMax: 1, maxRooms: 10 });
await t.start();
try {
  const api = t.api;
  const user = await api.login('commands');
  const { roomId } = await api.createRoom(user.token, 'commands');
  await api.session(user.token, roomId);

  const admin = new Redis(t.redis.url);
  const names = new Map();
  for (const line of (await admin.client('LIST')).split('\n')) {
    const addr = /addr=(\S+)/.exec(line)?.[1];
    const name = /name=(\S*)/.exec(line)?.[1];
    if (addr) names.set(addr, name || '(unnamed)');
  }
  const monitored = new Redis(t.redis.url);
  const monitor = await monitored.monitor();
  const counts = new Map();
  let counting = false;
  monitor.on('monitor', (_time, args, source) => {
    if (!counting || source === 'lua') return;
    const key = `${names.get(source) ?? source} ${String(args[0]).toUpperCase()}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  counting = true;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await api.session(user.token, roomId);
  const elapsedS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 200));
  counting = false;
  monitor.disconnect();
  monitored.disconnect();
  admin.disconnect();
  console.log(`${calls} get-or-start calls in ${elapsedS.toFixed(1)} s (heartbeats of the session server also counted, about 1/s)`);
  let total = 0;
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    if (key.startsWith('backend')) total += n;
    console.log(`  ${key.padEnd(40)} ${n}  (${(n / calls).toFixed(2)} per call)`);
  }
  console.log(`backend commands per call: ${(total / calls).toFixed(2)}`);
} finally {
  await t.stop();
}
