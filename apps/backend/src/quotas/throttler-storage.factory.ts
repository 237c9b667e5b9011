import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { closeRedisClient, createRedisClient, normalizeKeyPrefix } from '@app/redis';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { BackendConfig } from '../config/backend.config';
import { DirectoryUnavailableError } from '../scheduler/directory/redis-session-directory';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The per-address rate limit's counters in Redis (@nest-lab/throttler-storage-redis), under
 * `<REDIS_KEY_PREFIX>throttle:`, so N backend replicas allow the limit once, not N times (issue 23:
 * behind two backends 240 of 250 admin-secret guesses got an answer against a limit of 120). The
 * client fails fast like every other Redis adapter here, and an unreachable Redis is a 503, not a 500.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly inner: ThrottlerStorageRedisService;
  private readonly prefix: string;

  constructor(
    private readonly redis: ReturnType<typeof createRedisClient>,
    keyPrefix: string,
  ) {
    this.inner = new ThrottlerStorageRedisService(redis);
    this.prefix = `${normalizeKeyPrefix(keyPrefix)}throttle:`;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.inner.increment(this.prefix + key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}

/** Redis when the backends share one (REDIS_URL), else undefined: the library's own per-process memory storage. */
export function throttlerStorage(config: BackendConfig): ThrottlerStorage | undefined {
  if (!config.REDIS_URL) return undefined;
  return new RedisThrottlerStorage(createRedisClient(config.REDIS_URL, 'backend-throttler'), config.REDIS_KEY_PREFIX);
}
