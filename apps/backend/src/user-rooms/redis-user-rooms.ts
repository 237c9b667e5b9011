import type Redis from 'ioredis';
import { closeRedisClient } from '@app/redis';
import { DirectoryUnavailableError } from '../scheduler/directory/redis-session-directory';
import { USER_ROOMS_MAX, UserRooms } from './user-rooms.port';

/**
 * One sorted set per user (`<prefix>user-rooms:<userId>`): room id scored by when last opened,
 * trimmed to the newest USER_ROOMS_MAX, expiring a TTL after the last `remember`.
 */
export class RedisUserRooms implements UserRooms {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly ttlMs: number,
  ) {
    this.prefix = keyPrefix === '' || keyPrefix.endsWith(':') ? keyPrefix : `${keyPrefix}:`;
  }

  async remember(userId: string, roomId: string, now: number): Promise<void> {
    const key = this.key(userId);
    try {
      await this.redis
        .multi()
        .zadd(key, now, roomId)
        .zremrangebyrank(key, 0, -USER_ROOMS_MAX - 1)
        .pexpire(key, this.ttlMs)
        .exec();
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
  }

  async roomsOf(userId: string, now: number): Promise<Set<string>> {
    try {
      return new Set(await this.redis.zrangebyscore(this.key(userId), `(${now - this.ttlMs}`, '+inf'));
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }

  private key(userId: string): string {
    return `${this.prefix}user-rooms:${userId}`;
  }
}
