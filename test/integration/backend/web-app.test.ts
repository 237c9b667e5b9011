import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackendApp, listenBackend } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';

// The backend serves the built web app from its own origin: files as they are, index.html for the
// app's routes, and a JSON 404 (not a page) for anything else.
let app: NestFastifyApplication;
let base: string;
let webRoot: string;
const INDEX = '<!doctype html><title>Rooms test page</title>';

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'web-root-'));
  writeFileSync(join(webRoot, 'index.html'), INDEX);
  writeFileSync(join(webRoot, 'main-ABC123.js'), 'console.log("app")');
  const config = loadBackendConfig({ PORT: '0', PROVISIONER: 'none', ROOM_CATALOG: 'memory', LOG_LEVEL: 'silent', WEB_ROOT: webRoot });
  app = await createBackendApp(config);
  base = await listenBackend(app, config);
});

afterAll(async () => {
  await app?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

it.each(['/', '/login', '/cluster', '/rooms/Ab3_x-9'])('answers the app route %s with index.html', async (path) => {
  const res = await fetch(base + path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await res.text()).toBe(INDEX);
});

it('serves the app files with their type', async () => {
  const res = await fetch(base + '/main-ABC123.js');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/javascript/);
  expect(await res.text()).toBe('console.log("app")');
});

it.each(['/api/nope', '/nope', '/rooms/a/b', '/../package.json'])('answers %s with a JSON 404', async (path) => {
  const res = await fetch(base + path);
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual(expect.objectContaining({ statusCode: 404 }));
});
