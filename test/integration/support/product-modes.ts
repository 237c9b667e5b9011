import { randomBytes } from 'node:crypto';

/** The product's two modes: the embedded default, and the distributed one on Redis. */
export interface ProductMode {
  name: string;
  env: () => Record<string, string>;
}

export const PRODUCT_MODES: ProductMode[] = [
  { name: 'embedded (memory directory, SQLite history)', env: () => ({}) },
  {
    name: 'redis (Redis directory and history)',
    env: () => {
      const url = process.env.REDIS_URL;
      if (!url) throw new Error('REDIS_URL is not set: run the tests through "npm test", which starts a private redis-server');
      return { REDIS_URL: url, ROOM_STORE: 'redis', REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:` };
    },
  },
];
