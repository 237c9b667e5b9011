import { createRedisClient } from '@app/redis';
import { FactoryProvider } from '@nestjs/common';
import { BackendConfig } from '../config/backend.config';
import { RedisUserRooms } from './redis-user-rooms';
import { MemoryUserRooms } from './memory-user-rooms';
import { USER_ROOMS, type UserRooms } from './user-rooms.port';

/** In Redis when the directory is there (every replica sees what a user opened through any other), else in this process. */
export const userRoomsProvider: FactoryProvider<UserRooms> = {
  provide: USER_ROOMS,
  inject: [BackendConfig],
  useFactory: (config: BackendConfig) => {
    if (!config.REDIS_URL) return new MemoryUserRooms(config.ROOM_TTL_MS);
    return new RedisUserRooms(createRedisClient(config.REDIS_URL, 'backend-user-rooms'), config.REDIS_KEY_PREFIX, config.ROOM_TTL_MS);
  },
};
