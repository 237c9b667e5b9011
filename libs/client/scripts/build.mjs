#!/usr/bin/env node
// Builds the SDK package into libs/client/dist: ES modules and .d.ts, with the protocol files of
// libs/shared it imports copied in (dist/shared), so the packed tarball needs nothing else.
import { buildEsm } from './esm-build.mjs';

const started = Date.now();
buildEsm({
  tsconfig: 'libs/client/tsconfig.lib.json',
  outDir: 'libs/client/dist',
  mounts: [
    ['libs/client/src', '.'],
    ['libs/shared/src', 'shared'],
  ],
});
console.log(`libs/client: built dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
