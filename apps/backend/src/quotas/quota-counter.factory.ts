import { FactoryProvider } from '@nestjs/common';
import { BackendConfig } from '../config/backend.config';
import { MemoryQuotaCounter } from './memory-quota-counter';
import { QUOTA_COUNTER, QuotaCounter } from './quota-counter.port';

/** Counts in Redis when the directory is there (many backend replicas share them), else in this process. */
export const quotaCounterProvider: FactoryProvider<QuotaCounter> = {
  provide: QUOTA_COUNTER,
  inject: [BackendConfig],
  useFactory: async (config: BackendConfig) => {
    if (!config.REDIS_URL) return new MemoryQuotaCounter();
    const { createRedisClient } = await import('@app/redis');
    const { RedisQuotaCounter } = await import('./redis-quota-counter');
    return new RedisQuotaCounter(createRedisClient(config.REDIS_URL, 'backend-quotas'), config.REDIS_KEY_PREFIX);
  },
};
