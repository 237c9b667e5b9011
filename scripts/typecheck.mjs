#!/usr/bin/env node
// `npm run typecheck`: every TypeScript project of the repo (servers, libs and all tests; the web
// app; the web specs), so a type error anywhere, specs included, fails before any test runs.
import { spawnSync } from 'node:child_process';

const projects = ['tsconfig.json', 'apps/web/tsconfig.app.json', 'apps/web/tsconfig.spec.json'];
const root = new URL('..', import.meta.url).pathname;
let failed = 0;
for (const project of projects) {
  const started = Date.now();
  const r = spawnSync('npx', ['tsc', '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' });
  console.log(`typecheck ${project}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
