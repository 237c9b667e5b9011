#!/usr/bin/env node
// `rooms`, the terminal client (apps/cli/src). Node cannot run the repo's TypeScript as it stands
// (path aliases, extensionless imports, CommonJS-typed sources), so the first run, and any run after
// a source change, compiles the CLI and the SDK with tsc into dist/apps/cli (a few seconds, once),
// as scripts/build.mjs does for the servers; later runs start at once. No build step to remember.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, buildEsm, newestMtime } from '../../../libs/client/scripts/esm-build.mjs';

const OUT = 'dist/apps/cli';
const entry = join(REPO_ROOT, OUT, 'main.js');
const sources = ['apps/cli/src', 'apps/cli/tsconfig.app.json', 'libs/client/src', 'libs/shared/src', 'libs/client/scripts/esm-build.mjs'];

const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(sources);
if (stale) {
  let canBuild = true;
  try {
    await import('typescript');
  } catch {
    canBuild = false;
  }
  if (canBuild) {
    process.stderr.write('rooms: building the CLI (first run or changed sources)…\n');
    buildEsm({
      tsconfig: 'apps/cli/tsconfig.app.json',
      outDir: OUT,
      quiet: true,
      mounts: [
        ['apps/cli/src', '.'],
        ['libs/client/src', 'client'],
        ['libs/shared/src', 'shared'],
      ],
    });
  } else if (!existsSync(entry)) {
    process.stderr.write('rooms: not built, and TypeScript is not installed to build it: run `npm ci` in the repository\n');
    process.exit(1);
  }
}

const { main } = await import(pathToFileURL(entry).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; should a stray handle keep the loop alive, do not hang a script on it.
setTimeout(() => process.exit(code), 2000).unref();
