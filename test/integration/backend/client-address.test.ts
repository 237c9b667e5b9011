import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBackendApp, listenBackend, trustedProxies } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';

// The per-address rate limit behind a proxy: with TRUST_PROXY the client's address comes from
// X-Forwarded-For (each client its own limit); without it a forged header changes nothing.
const LIMIT = 2;

async function start(env: Record<string, string>): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = loadBackendConfig({
    PORT: '0',
    PROVISIONER: 'none',
    ROOM_CATALOG: 'memory',
    LOG_LEVEL: 'silent',
    HTTP_RATE_LIMIT_PER_MIN: String(LIMIT),
    ...env,
  });
  const app = await createBackendApp(config);
  return { app, base: await listenBackend(app, config) };
}

async function loginFrom(base: string, forwardedFor?: string): Promise<number> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: '{"name":"Proxied"}',
  });
  await res.arrayBuffer();
  return res.status;
}

describe('client address behind a proxy', () => {
  let app: NestFastifyApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('TRUST_PROXY=loopback: each forwarded client has its own rate limit', async () => {
    const started = await start({ TRUST_PROXY: 'loopback' });
    app = started.app;
    for (let i = 0; i < LIMIT; i++) expect(await loginFrom(started.base, '203.0.113.7')).toBe(201);
    expect(await loginFrom(started.base, '203.0.113.7')).toBe(429);
    expect(await loginFrom(started.base, '203.0.113.8')).toBe(201);
  });

  it('TRUST_PROXY=1 (one proxy hop): the client is the address the proxy appended, not what the client claimed', async () => {
    const started = await start({ TRUST_PROXY: '1' });
    app = started.app;
    for (let i = 0; i < LIMIT; i++) expect(await loginFrom(started.base, `198.51.100.${i}, 203.0.113.7`)).toBe(201);
    expect(await loginFrom(started.base, '198.51.100.99, 203.0.113.7')).toBe(429);
    expect(await loginFrom(started.base, '198.51.100.1, 203.0.113.8')).toBe(201);
  });

  it('without TRUST_PROXY a forwarded address is ignored: the socket peer is the client', async () => {
    const started = await start({});
    app = started.app;
    for (let i = 0; i < LIMIT; i++) expect(await loginFrom(started.base, `198.51.100.${i}`)).toBe(201);
    expect(await loginFrom(started.base, '198.51.100.99')).toBe(429);
  });

  it('reads TRUST_PROXY as off, a hop count, or a list; refuses anything else', () => {
    expect(trustedProxies([])).toBe(false);
    const twoHops = trustedProxies(['2']);
    if (typeof twoHops !== 'function') throw new Error('a hop count gives a hop rule');
    expect([0, 1, 2].map((hop) => twoHops('10.0.0.1', hop))).toEqual([true, true, false]);
    expect(trustedProxies(['loopback', '10.1.2.3'])).toEqual(['loopback', '10.1.2.3']);
    for (const bad of ['everyone', '1,loopback', '0', 'abc', '10.0.0.0/33', 'fe80::/129', '10.0.0.1/8/1', '256.1.1.1']) {
      expect(() => loadBackendConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY must be one hop count/);
    }
    expect(loadBackendConfig({ TRUST_PROXY: '100' }).TRUST_PROXY).toEqual(['100']);
    expect(loadBackendConfig({ TRUST_PROXY: '::1, fd00::/8, 192.168.0.0/16' }).TRUST_PROXY).toEqual(['::1', 'fd00::/8', '192.168.0.0/16']);
    expect(loadBackendConfig({ TRUST_PROXY: ' 10.0.0.0/8, uniquelocal ' }).TRUST_PROXY).toEqual(['10.0.0.0/8', 'uniquelocal']);
  });
});
