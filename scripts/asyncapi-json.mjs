#!/usr/bin/env node
// docs/asyncapi.yaml → dist/apps/backend/asyncapi.json: the WebSocket contract the built backend
// serves (the runtime image has no docs/ and no YAML parser of its own).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'apps', 'backend', 'asyncapi.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify(load(readFileSync(join(root, 'docs', 'asyncapi.yaml'), 'utf8')), null, 2)}\n`);
console.log(`asyncapi: wrote ${out}`);
