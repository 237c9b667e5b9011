import { createRedisClient } from '@app/redis';
import { redisForThisFile, uniqueKeyPrefix } from '../../../../test/support/redis-server';
import { describeQuotaCounterContract } from './quota-counter.contract';
import { RedisQuotaCounter } from './redis-quota-counter';

const redis = redisForThisFile();

describeQuotaCounterContract('redis', async () => new RedisQuotaCounter(createRedisClient(redis.url, 'quota-contract'), uniqueKeyPrefix('quota')));

it('shares the counts between replicas', async () => {
  const prefix = uniqueKeyPrefix('quota-replicas');
  const [a, b] = [new RedisQuotaCounter(createRedisClient(redis.url, 'a'), prefix), new RedisQuotaCounter(createRedisClient(redis.url, 'b'), prefix)];
  try {
    expect(await a.take('u', 2, 60_000, 1000)).toEqual({ allowed: true });
    expect(await b.take('u', 2, 60_000, 1001)).toEqual({ allowed: true });
    expect((await a.take('u', 2, 60_000, 1002)).allowed).toBe(false);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
