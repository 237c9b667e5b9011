import { createRedisClient } from '@app/redis';
import { acquireRedisUrl, uniqueKeyPrefix } from '../../../../test/support/redis-server';
import { RedisUserRooms } from './redis-user-rooms';
import { describeUserRoomsContract } from './user-rooms.contract';

let url: string;
let release: () => Promise<void>;
beforeAll(async () => {
  ({ url, release } = await acquireRedisUrl());
});
afterAll(async () => {
  await release();
});

describeUserRoomsContract('redis', async (ttlMs) => new RedisUserRooms(createRedisClient(url, 'user-rooms-contract'), uniqueKeyPrefix('user-rooms'), ttlMs));
