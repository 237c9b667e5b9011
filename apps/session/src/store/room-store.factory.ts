import type { FactoryProvider } from '@nestjs/common';
import { join } from 'node:path';
import { SessionConfig } from '../config/session.config';
import { SessionMetrics } from '../metrics/session-metrics';
import type { HistoryRetentionOptions } from './history-retention';
import { MeteredRoomStore } from './metered-room-store';
import { MemoryRoomStore } from './memory-room-store';
import { PostgresRoomStore } from './postgres-room-store';
import { createRedisClient } from '@app/redis';
import { RedisRoomStore } from './redis-room-store';
import { ROOM_STORE, type RoomStore } from './room-store.port';
import { SqliteRoomStore } from './sqlite-room-store';

/**
 * Picks the RoomStore adapter named by `ROOM_STORE`; an unknown value is a start-up error, and so
 * is a PostgreSQL schema older than this server needs (the server does not start).
 */
export async function createRoomStore(config: SessionConfig): Promise<RoomStore> {
  switch (config.ROOM_STORE) {
    case 'memory':
      return new MemoryRoomStore(Math.max(config.MEMORY_HISTORY_MAX, config.RESUME_LIMIT, config.HISTORY_LIMIT));
    case 'sqlite':
      return new SqliteRoomStore(join(config.DATA_DIR, 'rooms.sqlite'), { retention: retentionOf(config) });
    case 'redis': {
      if (!config.REDIS_URL) throw new Error('ROOM_STORE=redis needs REDIS_URL');
      const redis = createRedisClient(config.REDIS_URL, `room-store:${config.serverId}`);
      // Keep at least what a resume may ask for, whatever the configured trim.
      const maxMessages = Math.max(config.REDIS_HISTORY_MAX, config.RESUME_LIMIT, config.HISTORY_LIMIT);
      return new RedisRoomStore(redis, { keyPrefix: config.REDIS_KEY_PREFIX, maxMessages });
    }
    case 'postgres':
      if (!config.DATABASE_URL) throw new Error('ROOM_STORE=postgres needs DATABASE_URL');
      return PostgresRoomStore.open(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX, retention: retentionOf(config) });
    default:
      throw new Error(`unknown ROOM_STORE "${String(config.ROOM_STORE)}" (memory | sqlite | redis | postgres)`);
  }
}

function retentionOf(config: SessionConfig): HistoryRetentionOptions | undefined {
  return config.HISTORY_RETENTION_DAYS === undefined ? undefined : { days: config.HISTORY_RETENTION_DAYS };
}

/** The configured store, with every append timed for the store latency histogram. */
export const roomStoreProvider: FactoryProvider<RoomStore> = {
  provide: ROOM_STORE,
  inject: [SessionConfig, SessionMetrics],
  useFactory: async (config: SessionConfig, metrics: SessionMetrics) => new MeteredRoomStore(await createRoomStore(config), metrics),
};
