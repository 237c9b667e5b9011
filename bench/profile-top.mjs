#!/usr/bin/env node
// Prints where a .cpuprofile spends its time: top functions by self time, and totals per file.
//   node bench/profile-top.mjs bench/results/tmp/prof/session-<pid>.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
const top = Number(process.argv.includes('--top') ? process.argv[process.argv.indexOf('--top') + 1] : 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) || 0) + (p.timeDeltas[i] || 0)));
const fn = new Map();
const perFile = new Map();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const cf = n.callFrame;
  total += us;
  if (cf.functionName === '(idle)') {
    idle += us;
    continue;
  }
  const where = cf.url ? cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : '';
  const k = `${cf.functionName || '(anonymous)'} ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fn.set(k, (fn.get(k) || 0) + us);
  const pkg = where.startsWith('node:')
    ? 'node core'
    : where
        .split('/')
        .slice(0, where.startsWith('@') ? 2 : 1)
        .join('/') || '(native/gc)';
  perFile.set(pkg, (perFile.get(pkg) || 0) + us);
}
const busy = total - idle;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)}%)`);
console.log('\nself time, % of busy, by function:');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / busy).toFixed(1).padStart(6)}  ${k}`);
console.log('\nself time by package / file:');
for (const [k, v] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${((100 * v) / busy).toFixed(1).padStart(6)}  ${k}`);
