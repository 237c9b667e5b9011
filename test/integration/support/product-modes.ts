import { acquirePostgresUrl, createDatabase, migrate } from '../../support/postgres-server';
import { acquireRedisUrl, uniqueKeyPrefix } from '../../support/redis-server';
import { Product } from './product';

/** Environment for one mode of the product, and how to give back what it took. */
export interface ModeEnv {
  env: Record<string, string>;
  release: () => Promise<void>;
}

/** The product's modes: the embedded default, and the distributed one with its history on Redis or on PostgreSQL. */
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
  {
    name: 'postgres (Redis directory, PostgreSQL history)',
    // DATABASE_URL from `npm test`, or a private PostgreSQL when the file runs alone; a migrated database of its own on it.
    acquire: async () => {
      const redis = await acquireRedisUrl();
      const postgres = await acquirePostgresUrl();
      const database = await createDatabase(postgres.url, 'flow');
      await migrate(database.url);
      return {
        env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniqueKeyPrefix('flow'), ROOM_STORE: 'postgres', DATABASE_URL: database.url },
        release: async () => {
          await database.drop();
          await Promise.all([postgres.release(), redis.release()]);
        },
      };
    },
  },
];

/**
 * The product in `mode` for the tests of the enclosing `describe` (started in `beforeAll`, stopped
 * with its mode's resources in `afterAll`); read `product` inside tests and hooks.
 */
export function productInMode(mode: ProductMode, env: Record<string, string>): { readonly product: Product } {
  let product: Product | undefined;
  let modeEnv: ModeEnv | undefined;
  beforeAll(async () => {
    product = await Product.start({ ...(modeEnv = await mode.acquire()).env, ...env });
  });
  afterAll(async () => {
    await product?.stop();
    await modeEnv?.release();
  });
  return {
    get product(): Product {
      if (!product) throw new Error('the product starts in beforeAll: read it inside a test or hook');
      return product;
    },
  };
}
