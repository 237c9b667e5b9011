import { MemoryQuotaCounter } from '../../quotas/memory-quota-counter';
import { MemorySessionDirectory } from '../../scheduler/directory/memory-session-directory';
import { MemoryUserRooms } from '../../user-rooms/memory-user-rooms';
import { describeRoomOpenerContract, OPENER_TIMING } from './room-opener.contract';
import { StepwiseRoomOpener } from './stepwise-room-opener';

describeRoomOpenerContract('stepwise (memory)', async () => {
  const directory = new MemorySessionDirectory(OPENER_TIMING);
  const counter = new MemoryQuotaCounter();
  const userRooms = new MemoryUserRooms(OPENER_TIMING.roomTtlMs);
  return { opener: new StepwiseRoomOpener(directory, counter, userRooms), directory, counter, userRooms };
});
