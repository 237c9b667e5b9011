import { randomBytes } from 'node:crypto';
import { startRedisServer } from '../../scripts/redis-server.mjs';

/**
 * Redis for tests. Tests never touch the system Redis on 6379: they use `REDIS_URL` when the test
 * runner set one, else a redis-server of their own on a free port, started by the repo's one
 * launcher (scripts/redis-server.mjs, which `npm test` uses too).
 */
export { startRedisServer, type RedisServerHandle, type RedisServerOptions } from '../../scripts/redis-server.mjs';

/** A key prefix no other test shares, so tests can run in parallel on one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** `REDIS_URL` when set (the shared test Redis), else a private server stopped by `release`. */
export async function acquireRedisUrl(): Promise<{ url: string; release: () => Promise<void> }> {
  const shared = process.env.REDIS_URL;
  if (shared) return { url: shared, release: async () => undefined };
  const server = await startRedisServer();
  return { url: server.url, release: () => server.stop() };
}

/** A Redis for every test of this file (acquired in `beforeAll`, released in `afterAll`); read `url` inside tests. */
export function redisForThisFile(): { readonly url: string } {
  let acquired: { url: string; release: () => Promise<void> } | undefined;
  beforeAll(async () => {
    acquired = await acquireRedisUrl();
  });
  afterAll(async () => {
    await acquired?.release();
  });
  return {
    get url(): string {
      if (!acquired) throw new Error('Redis is acquired in beforeAll: read its url inside a test or hook');
      return acquired.url;
    },
  };
}
