import { MemoryQuotaCounter } from './memory-quota-counter';
import { describeQuotaCounterContract } from './quota-counter.contract';

describeQuotaCounterContract('memory', async () => new MemoryQuotaCounter());
