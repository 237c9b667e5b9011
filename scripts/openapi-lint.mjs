#!/usr/bin/env node
// `npm test` runs this right after lint: builds the backend's OpenAPI document from the source (the
// app is created, never listens), writes it to test-artifacts/openapi.json and lints it with
// Redocly's recommended rules (redocly.yaml). The TypeScript is transpiled on the fly, as ts-jest
// does for the tests (no type check: `npm run typecheck` does that).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(join(root, 'package.json'));
const ts = require('typescript');

// The path aliases as tsconfig.json declares them (`@app/x` → its folder), so a new lib needs no edit here.
const aliases = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions.paths)
    .filter(([alias]) => !alias.includes('*'))
    .map(([alias, [dir]]) => [alias, dir]),
);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [alias, dir] of Object.entries(aliases)) {
    if (request === alias || request.startsWith(`${alias}/`)) return resolve.call(this, join(root, dir, request.slice(alias.length)), ...rest);
  }
  return resolve.call(this, request, ...rest);
};
const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  isolatedModules: true,
};
Module._extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

require('reflect-metadata');
const { createBackendApp } = require(join(root, 'apps/backend/src/bootstrap.ts'));
const { loadBackendConfig } = require(join(root, 'apps/backend/src/config/load-config.ts'));
const { buildOpenApiDocument } = require(join(root, 'apps/backend/src/swagger.ts'));

const config = loadBackendConfig({
  PORT: '0',
  PROVISIONER: 'none',
  ROOM_CATALOG: 'memory',
  INTERNAL_SECRET: 'openapi-lint',
  JWT_SECRET: 'openapi-lint-0123456789',
  LOG_LEVEL: 'silent',
});
const app = await createBackendApp(config);
const document = buildOpenApiDocument(app);
await app.close();

const out = join(root, 'test-artifacts', 'openapi.json');
mkdirSync(join(root, 'test-artifacts'), { recursive: true });
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`openapi: wrote ${out}`);

const r = spawnSync('npx', ['redocly', 'lint', '--config', join(root, 'redocly.yaml'), out], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.exit(r.status ?? 1);
