import { acquireRedisUrl, uniqueKeyPrefix } from '../../support/redis-server';

/** Environment for one mode of the product, and how to give back what it took. */
export interface ModeEnv {
  env: Record<string, string>;
  release: () => Promise<void>;
}

/** The product's two modes: the embedded default, and the distributed one on Redis. */
export interface ProductMode {
  name: string;
  acquire: () => Promise<ModeEnv>;
}

export const PRODUCT_MODES: ProductMode[] = [
  { name: 'embedded (memory directory, SQLite history)', acquire: async () => ({ env: {}, release: async () => undefined }) },
  {
    name: 'redis (Redis directory and history)',
    // REDIS_URL from `npm test`, or a private redis-server when the file runs alone.
    acquire: async () => {
      const { url, release } = await acquireRedisUrl();
      return { env: { REDIS_URL: url, ROOM_STORE: 'redis', REDIS_KEY_PREFIX: uniqueKeyPrefix('flow') }, release };
    },
  },
];
