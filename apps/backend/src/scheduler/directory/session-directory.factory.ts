import { FactoryProvider, Logger } from '@nestjs/common';
import { createRedisClient } from '@app/redis';
import { BackendConfig } from '../../config/backend.config';
import { join } from 'node:path';
import { MemorySessionDirectory } from './memory-session-directory';
import { RedisSessionDirectory } from './redis-session-directory';
import { MemoryRoomCatalog } from './room-catalog';
import { SqliteRoomCatalog } from './sqlite-room-catalog';
import { SESSION_DIRECTORY, type SessionDirectory } from './session-directory.port';

/** Picks the directory adapter: Redis when REDIS_URL is set (many backend replicas), else this process's memory with its rooms on disk. */
export const sessionDirectoryProvider: FactoryProvider<SessionDirectory> = {
  provide: SESSION_DIRECTORY,
  inject: [BackendConfig],
  useFactory: async (config: BackendConfig) => {
    const timing = { heartbeatTtlMs: config.HEARTBEAT_TTL_MS, roomTtlMs: config.ROOM_TTL_MS };
    if (config.REDIS_URL) {
      new Logger('SessionDirectory').log('directory: redis');
      return new RedisSessionDirectory(createRedisClient(config.REDIS_URL, 'backend-directory'), timing, config.REDIS_KEY_PREFIX);
    }
    const rooms = config.ROOM_CATALOG === 'sqlite' ? new SqliteRoomCatalog(join(config.DATA_DIR, 'backend-rooms.sqlite')) : new MemoryRoomCatalog();
    return new MemorySessionDirectory(timing, rooms);
  },
};
