import { FactoryProvider, Logger } from '@nestjs/common';
import { BackendConfig } from '../../config/backend.config';
import { MemorySessionDirectory } from './memory-session-directory';
import { SESSION_DIRECTORY, SessionDirectory } from './session-directory.port';

/** Picks the directory adapter: Redis when REDIS_URL is set (many backend replicas), else memory. */
export const sessionDirectoryProvider: FactoryProvider<SessionDirectory> = {
  provide: SESSION_DIRECTORY,
  inject: [BackendConfig],
  useFactory: async (config: BackendConfig) => {
    const timing = { heartbeatTtlMs: config.HEARTBEAT_TTL_MS, roomTtlMs: config.ROOM_TTL_MS };
    if (config.REDIS_URL) {
      const { createRedisClient } = await import('@app/redis');
      const { RedisSessionDirectory } = await import('./redis-session-directory');
      new Logger('SessionDirectory').log('directory: redis');
      return new RedisSessionDirectory(createRedisClient(config.REDIS_URL, 'backend-directory'), timing, config.REDIS_KEY_PREFIX);
    }
    return new MemorySessionDirectory(timing);
  },
};
