import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBackendApp, listenBackend } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';
import { MetricsListener } from '../../../apps/backend/src/metrics/metrics-listener';

// METRICS_PORT as the Kubernetes manifests set it: /metrics on a port of its own, none on PORT.
const ENV = { PORT: '0', PROVISIONER: 'none', ROOM_CATALOG: 'memory', LOG_LEVEL: 'silent' };
let app: NestFastifyApplication;
let base: string;
let metricsBase: string;

async function startBackend(env: Record<string, string>): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = loadBackendConfig({ ...ENV, ...env });
  const backend = await createBackendApp(config);
  return { app: backend, base: await listenBackend(backend, config) };
}

beforeAll(async () => {
  ({ app, base } = await startBackend({ METRICS_PORT: '0' }));
  const port = app.get(MetricsListener).port;
  expect(port).toBeGreaterThan(0);
  metricsBase = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('backend with METRICS_PORT', () => {
  it('serves the metrics on METRICS_PORT, counting what PORT served', async () => {
    expect((await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' })).status).toBe(201);
    const res = await fetch(`${metricsBase}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^rooms_logins_total [1-9]\d*/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('has no /metrics on PORT, and nothing but /metrics on METRICS_PORT', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    for (const path of ['/', '/docs', '/health', '/api/login', '/metrics/x']) expect([path, (await fetch(metricsBase + path)).status]).toEqual([path, 404]);
    expect((await fetch(`${metricsBase}/metrics`, { method: 'POST' })).status).toBe(404);
    // A query string does not hide the route (scrapers may add one).
    expect((await fetch(`${metricsBase}/metrics?x=1`)).status).toBe(200);
  });

  it('leaves /metrics on PORT for a backend without METRICS_PORT in the same process', async () => {
    const other = await startBackend({});
    try {
      expect(other.app.get(MetricsListener).port).toBeUndefined();
      const res = await fetch(`${other.base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^rooms_logins_total \d+/m);
    } finally {
      await other.app.close();
    }
  });

  it('closes the metrics listener with the app', async () => {
    const other = await startBackend({ METRICS_PORT: '0' });
    const listener = other.app.get(MetricsListener);
    const port = listener.port;
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await other.app.close();
    expect(listener.port).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
