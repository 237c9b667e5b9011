import { FactoryProvider } from '@nestjs/common';
import { BackendConfig } from '../config/backend.config';
import { MemoryUserRooms } from './memory-user-rooms';
import { USER_ROOMS, UserRooms } from './user-rooms.port';

/** In Redis when the directory is there (every replica sees what a user opened through any other), else in this process. */
export const userRoomsProvider: FactoryProvider<UserRooms> = {
  provide: USER_ROOMS,
  inject: [BackendConfig],
  useFactory: async (config: BackendConfig) => {
    if (!config.REDIS_URL) return new MemoryUserRooms(config.ROOM_TTL_MS);
    const { createRedisClient } = await import('@app/redis');
    const { RedisUserRooms } = await import('./redis-user-rooms');
    return new RedisUserRooms(createRedisClient(config.REDIS_URL, 'backend-user-rooms'), config.REDIS_KEY_PREFIX, config.ROOM_TTL_MS);
  },
};
