import { createRedisClient } from '@app/redis';
import { FactoryProvider } from '@nestjs/common';
import { BackendConfig } from '../../config/backend.config';
import { QUOTA_COUNTER, type QuotaCounter } from '../../quotas/quota-counter.port';
import { SESSION_DIRECTORY, type SessionDirectory } from '../../scheduler/directory/session-directory.port';
import { USER_ROOMS, type UserRooms } from '../../user-rooms/user-rooms.port';
import { RedisRoomOpener } from './redis-room-opener';
import { ROOM_OPENER, type RoomOpener } from './room-opener.port';
import { StepwiseRoomOpener } from './stepwise-room-opener';

/**
 * One script in Redis when the directory, the quotas and the room lists are there (REDIS_URL set,
 * as their own factories decide), else the three ports of this process one after the other.
 */
export const roomOpenerProvider: FactoryProvider<RoomOpener> = {
  provide: ROOM_OPENER,
  inject: [BackendConfig, SESSION_DIRECTORY, QUOTA_COUNTER, USER_ROOMS],
  useFactory: (config: BackendConfig, directory: SessionDirectory, counter: QuotaCounter, userRooms: UserRooms) => {
    if (!config.REDIS_URL) return new StepwiseRoomOpener(directory, counter, userRooms);
    const timing = { heartbeatTtlMs: config.HEARTBEAT_TTL_MS, roomTtlMs: config.ROOM_TTL_MS };
    return new RedisRoomOpener(createRedisClient(config.REDIS_URL, 'backend-room-opener'), timing, config.REDIS_KEY_PREFIX, config.ROOM_TTL_MS);
  },
};
