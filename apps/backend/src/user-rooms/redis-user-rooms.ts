import type Redis from 'ioredis';
import { closeRedisClient, normalizeKeyPrefix } from '@app/redis';
import { DirectoryUnavailableError } from '../scheduler/directory/redis-session-directory';
import { USER_ROOMS_MAX, UserRooms } from './user-rooms.port';

/**
 * Records that a user opened a room, as a Lua function other scripts include (the get-or-start
 * script records it in the same round trip as the placement): `rememberRoom(key, roomId, now, max,
 * ttlMs)` scores the room by `now`, keeps the newest `max` and pushes back the set's expiry.
 */
export const REMEMBER_ROOM_LUA = `
local function rememberRoom(key, roomId, now, max, ttl)
  redis.call('ZADD', key, now, roomId)
  redis.call('ZREMRANGEBYRANK', key, 0, -max - 1)
  redis.call('PEXPIRE', key, ttl)
end
`;

/** KEYS[1] the user's set; ARGV: roomId, now, max, ttlMs. */
const REMEMBER = `${REMEMBER_ROOM_LUA}
rememberRoom(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4])
return 1
`;

/** The user's sorted set of rooms; `prefix` normalised (empty or ending in ':'). */
export function userRoomsKey(prefix: string, userId: string): string {
  return `${prefix}user-rooms:${userId}`;
}

interface UserRoomsCommands {
  userRoomsRemember(key: string, roomId: string, now: number, max: number, ttlMs: number): Promise<number>;
}

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
    this.prefix = normalizeKeyPrefix(keyPrefix);
    redis.defineCommand('userRoomsRemember', { numberOfKeys: 1, lua: REMEMBER });
  }

  async remember(userId: string, roomId: string, now: number): Promise<void> {
    try {
      await (this.redis as unknown as UserRoomsCommands).userRoomsRemember(this.key(userId), roomId, now, USER_ROOMS_MAX, this.ttlMs);
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
    return userRoomsKey(this.prefix, userId);
  }
}
