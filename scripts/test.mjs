#!/usr/bin/env node
// `npm test`: checks what the tests need, typechecks and lints (code, and the OpenAPI document with Redocly), builds, starts a private Redis and a
// private PostgreSQL (unless REDIS_URL / DATABASE_URL name ones the tests may use), runs
// every tier (unit, web components, integration with real processes, chaos (faults in the cluster
// topology), browser in real Chromium, a benchmark
// smoke run) and ends with one summary line.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPostgresBin, startPostgresServer } from './postgres-server.mjs';
import { findRedisServer, startRedisServer } from './redis-server.mjs';

const root = new URL('..', import.meta.url).pathname;
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [];
const redisBinary = process.env.REDIS_URL ? null : findRedisServer();
if (!process.env.REDIS_URL && !redisBinary) missing.push('redis-server (Debian: apt-get install redis-server), or set REDIS_URL to a Redis the tests may use');
const postgresBin = process.env.DATABASE_URL ? null : findPostgresBin();
if (!process.env.DATABASE_URL && !postgresBin) {
  missing.push(
    'PostgreSQL server binaries initdb and postgres, on PATH or in /usr/lib/postgresql/<version>/bin (Debian: apt-get install postgresql), or set DATABASE_URL to a PostgreSQL the tests may use (they make databases of their own on it)',
  );
}
if (!existsSync(chromium)) missing.push(`Chromium at ${chromium} (Debian: apt-get install chromium), or set CHROMIUM_PATH`);
if (missing.length) {
  console.error(`npm test needs:\n  - ${missing.join('\n  - ')}`);
  process.exit(1);
}

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const results = [];
// The server tiers load NestJS 12, which ships as ES modules, from CommonJS code: Jest's require(esm)
// needs the VM modules API. The web tier must not have it (jest-preset-angular's .mjs transform
// would then be run as ESM), so each tier gets its own Jest process.
const JEST = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const VM_MODULES = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];

async function jest(label, args, env, { vmModules = true } = {}) {
  const outputFile = join(root, 'test-artifacts', `jest-${label}.json`);
  console.log(`\n=== ${label} ===`);
  const code = await run(process.execPath, [...(vmModules ? VM_MODULES : []), JEST, ...args, '--json', `--outputFile=${outputFile}`], env);
  let passed = 0;
  let failed = 0;
  if (existsSync(outputFile)) {
    const r = JSON.parse(readFileSync(outputFile, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  }
  if (code !== 0 && failed === 0) failed = 1;
  results.push({ label, passed, failed });
}

mkdirSync(join(root, 'test-artifacts'), { recursive: true });
// Types and lint first: a type error in a spec or a lint error fails `npm test` before any tier runs.
for (const [label, cmd, args] of [
  ['typecheck', process.execPath, ['scripts/typecheck.mjs']],
  ['lint', 'npx', ['eslint', '--max-warnings=0', '.']],
  // The backend's OpenAPI document, built from the source, under Redocly's recommended rules.
  ['openapi lint', process.execPath, ['scripts/openapi-lint.mjs']],
]) {
  console.log(`\n=== ${label} ===`);
  if ((await run(cmd, args)) !== 0) {
    console.error(`${label} failed: no test ran`);
    process.exit(1);
  }
}
if ((await run(process.execPath, ['scripts/build.mjs'])) !== 0) {
  console.error('build failed: no test ran');
  process.exit(1);
}

const redis = redisBinary ? await startRedisServer({ binary: redisBinary }) : null;
let postgres = null;
try {
  postgres = postgresBin ? await startPostgresServer({ bin: postgresBin }) : null;
} catch (err) {
  await redis?.stop();
  console.error(`could not start a private PostgreSQL from ${postgresBin}: ${err.message}`);
  process.exit(1);
}
const env = { REDIS_URL: process.env.REDIS_URL ?? redis.url, DATABASE_URL: process.env.DATABASE_URL ?? postgres.url, CHROMIUM_PATH: chromium };
console.log(`tests use Redis at ${env.REDIS_URL} and PostgreSQL at ${postgres ? env.DATABASE_URL : 'DATABASE_URL'}`);
try {
  await jest('unit', ['--selectProjects', 'unit'], env);
  await jest('web', ['--selectProjects', 'web'], env, { vmModules: false });
  await jest('integration', ['--selectProjects', 'integration', '--runInBand'], env);
  await jest('chaos', ['--selectProjects', 'chaos', '--runInBand'], env);
  await jest('browser', ['--selectProjects', 'browser', '--runInBand'], env);
  if (existsSync(join(root, 'bench', 'run.mjs'))) {
    // The three benches' pipelines on tiny workloads: fan-out against raw, the cost curve, the scale run.
    for (const bench of ['run', 'curve', 'scale']) {
      console.log(`\n=== bench smoke: bench/${bench}.mjs ===`);
      const code = await run('node', [`bench/${bench}.mjs`, '--smoke'], env);
      results.push({ label: `bench-smoke ${bench}`, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
    }
  }
} finally {
  await redis?.stop();
  await postgres?.stop();
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log('');
for (const r of results) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
