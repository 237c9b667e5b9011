import { createRedisClient } from '@app/redis';
import { FactoryProvider } from '@nestjs/common';
import { BackendConfig } from '../config/backend.config';
import { RedisQuotaCounter } from './redis-quota-counter';
import { MemoryQuotaCounter } from './memory-quota-counter';
import { QUOTA_COUNTER, type QuotaCounter } from './quota-counter.port';

/** Counts in Redis when the directory is there (many backend replicas share them), else in this process. */
export const quotaCounterProvider: FactoryProvider<QuotaCounter> = {
  provide: QUOTA_COUNTER,
  inject: [BackendConfig],
  useFactory: (config: BackendConfig) => {
    if (!config.REDIS_URL) return new MemoryQuotaCounter();
    return new RedisQuotaCounter(createRedisClient(config.REDIS_URL, 'backend-quotas'), config.REDIS_KEY_PREFIX);
  },
};
