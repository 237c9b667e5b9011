import { MemoryUserRooms } from './memory-user-rooms';
import { describeUserRoomsContract } from './user-rooms.contract';

describeUserRoomsContract('memory', async (ttlMs) => new MemoryUserRooms(ttlMs));
