import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { closeRedisClient, normalizeKeyPrefix } from '@app/redis';
import { DirectoryUnavailableError } from '../scheduler/directory/redis-session-directory';
import { QuotaCounter, QuotaVerdict } from './quota-counter.port';

/**
 * The check and the count of one use, as a Lua function other scripts include (the get-or-start
 * script counts the user's quota in the same round trip as the placement): `quotaTake(key, now,
 * windowMs, limit, member)` returns 0 (allowed, counted) or the ms until the oldest use that matters
 * leaves the window. Refused uses are not counted. The set expires a window after its newest use.
 */
export const QUOTA_TAKE_LUA = `
local function quotaTake(key, now, window, limit, member)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return 0
end
`;

/** KEYS[1] the set; ARGV: now, windowMs, limit, a unique member. */
const TAKE = `${QUOTA_TAKE_LUA}
return quotaTake(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
`;

/** The sorted set of a quota key's uses; `prefix` as RedisQuotaCounter normalises it (empty or ending in ':'). */
export function quotaKey(prefix: string, key: string): string {
  return `${prefix}quota:${key}`;
}

interface QuotaCommands {
  quotaTake(key: string, now: number, windowMs: number, limit: number, member: string): Promise<number>;
}

/**
 * One sorted set per key (`<prefix>quota:<key>`), scored by the time of each counted use; the check
 * and the count are one script, so replicas racing for the last use of a quota let exactly one in.
 */
export class RedisQuotaCounter implements QuotaCounter {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.prefix = normalizeKeyPrefix(keyPrefix);
    redis.defineCommand('quotaTake', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, limit: number, windowMs: number, now: number): Promise<QuotaVerdict> {
    let wait: number;
    try {
      const member = `${now}:${randomBytes(6).toString('base64url')}`;
      wait = await (this.redis as unknown as QuotaCommands).quotaTake(quotaKey(this.prefix, key), now, windowMs, limit, member);
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
    return wait === 0 ? { allowed: true } : { allowed: false, retryAfterMs: wait };
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
