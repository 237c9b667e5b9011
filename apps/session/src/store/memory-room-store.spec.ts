import { MemoryRoomStore } from './memory-room-store';
import { describeRoomStoreContract } from './room-store.contract';

describeRoomStoreContract('MemoryRoomStore', async () => new MemoryRoomStore());
