import { createRedisClient } from '@app/redis';
import { redisForThisFile, uniqueKeyPrefix } from '../../../../test/support/redis-server';
import { RedisUserRooms } from './redis-user-rooms';
import { describeUserRoomsContract } from './user-rooms.contract';

const redis = redisForThisFile();

describeUserRoomsContract(
  'redis',
  async (ttlMs) => new RedisUserRooms(createRedisClient(redis.url, 'user-rooms-contract'), uniqueKeyPrefix('user-rooms'), ttlMs),
);
