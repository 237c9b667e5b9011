#!/usr/bin/env node
// Builds what is out of date: the backend, the session server and the web app (dist/apps/*), and
// the client SDK's package (libs/client/dist).
// `npm start` calls it first, so a fresh clone runs with one command and a restart skips the build;
// a changed package-lock.json (new or updated dependencies) rebuilds all three.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const force = process.argv.includes('--force');

function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules') walk(join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach((p) => walk(join(root, p)));
  return newest;
}

const targets = [
  {
    name: 'backend',
    output: 'dist/apps/backend/main.js',
    inputs: [
      'apps/backend/src',
      'libs/shared/src',
      'libs/redis/src',
      'libs/metrics/src',
      'libs/config/src',
      'apps/backend/tsconfig.app.json',
      'package-lock.json',
    ],
    cmd: ['npx', 'nest', 'build', 'backend'],
  },
  // The WebSocket contract the backend serves at /docs/asyncapi.json and /docs/ws, beside its bundle
  // (the runtime image holds only dist/).
  {
    name: 'asyncapi',
    output: 'dist/apps/backend/asyncapi.json',
    inputs: ['docs/asyncapi.yaml', 'dist/apps/backend/main.js'],
    cmd: ['node', 'scripts/asyncapi-json.mjs'],
  },
  {
    name: 'session',
    output: 'dist/apps/session/main.js',
    inputs: [
      'apps/session/src',
      'libs/shared/src',
      'libs/redis/src',
      'libs/metrics/src',
      'libs/config/src',
      'apps/session/tsconfig.app.json',
      'package-lock.json',
    ],
    cmd: ['npx', 'nest', 'build', 'session'],
  },
  {
    name: 'web',
    output: 'dist/apps/web/browser/index.html',
    inputs: ['apps/web/src', 'libs/shared/src', 'libs/client/src', 'angular.json', 'apps/web/tsconfig.app.json', 'package-lock.json'],
    cmd: ['npx', 'ng', 'build', 'web'],
    optional: !existsSync(join(root, 'angular.json')),
  },
  // The SDK as its package ships it (ES modules): the bench's clients import it from here.
  {
    name: 'client SDK',
    output: 'libs/client/dist/index.js',
    inputs: ['libs/client/src', 'libs/shared/src', 'libs/client/tsconfig.lib.json', 'libs/client/scripts'],
    cmd: ['node', 'libs/client/scripts/build.mjs'],
  },
];

for (const t of targets) {
  if (t.optional) continue;
  const out = join(root, t.output);
  const upToDate = !force && existsSync(out) && statSync(out).mtimeMs >= newestMtime(t.inputs);
  if (upToDate) {
    console.log(`build: ${t.name} is up to date`);
    continue;
  }
  const started = Date.now();
  console.log(`build: ${t.name} …`);
  const r = spawnSync(t.cmd[0], t.cmd.slice(1), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  if (r.status !== 0) {
    console.error(`build: ${t.name} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  console.log(`build: ${t.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
