import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { closeRedisClient } from '@app/redis';
import { DirectoryUnavailableError } from '../scheduler/directory/redis-session-directory';
import { QuotaCounter, QuotaVerdict } from './quota-counter.port';

/**
 * One sorted set per key (`<prefix>quota:<key>`), scored by the time of each counted use; the check
 * and the count are one script, so replicas racing for the last use of a quota let exactly one in.
 * The set expires a window after its newest use.
 *
 * KEYS[1] the set; ARGV: now, windowMs, limit, a unique member. Returns 0 (allowed) or the ms until
 * the oldest use that matters leaves the window.
 */
const TAKE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n >= limit then
  local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 0
`;

interface QuotaCommands {
  quotaTake(key: string, now: number, windowMs: number, limit: number, member: string): Promise<number>;
}

export class RedisQuotaCounter implements QuotaCounter {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.prefix = keyPrefix === '' || keyPrefix.endsWith(':') ? keyPrefix : `${keyPrefix}:`;
    redis.defineCommand('quotaTake', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, limit: number, windowMs: number, now: number): Promise<QuotaVerdict> {
    let wait: number;
    try {
      const member = `${now}:${randomBytes(6).toString('base64url')}`;
      wait = await (this.redis as unknown as QuotaCommands).quotaTake(`${this.prefix}quota:${key}`, now, windowMs, limit, member);
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
    return wait === 0 ? { allowed: true } : { allowed: false, retryAfterMs: wait };
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
