import { USER_ROOMS_MAX, UserRooms } from './user-rooms.port';

/** Users above which a `remember` also forgets users whose rooms all expired. */
const SWEEP_ABOVE_USERS = 10_000;

/** The UserRooms of one backend process: per user, room id → when last opened (insertion order = oldest first). */
export class MemoryUserRooms implements UserRooms {
  private readonly byUser = new Map<string, Map<string, number>>();
  private sweepAt = SWEEP_ABOVE_USERS;

  constructor(private readonly ttlMs: number) {}

  async remember(userId: string, roomId: string, now: number): Promise<void> {
    let rooms = this.byUser.get(userId);
    if (!rooms) {
      if (this.byUser.size >= this.sweepAt) this.sweep(now);
      rooms = new Map();
      this.byUser.set(userId, rooms);
    }
    rooms.delete(roomId);
    rooms.set(roomId, now);
    if (rooms.size > USER_ROOMS_MAX) rooms.delete(rooms.keys().next().value as string);
  }

  async roomsOf(userId: string, now: number): Promise<Set<string>> {
    const rooms = this.byUser.get(userId);
    const live = new Set<string>();
    if (!rooms) return live;
    for (const [roomId, at] of rooms) {
      if (now - at < this.ttlMs) live.add(roomId);
      else rooms.delete(roomId);
    }
    return live;
  }

  async close(): Promise<void> {
    this.byUser.clear();
  }

  private sweep(now: number): void {
    for (const [userId, rooms] of this.byUser) {
      let newest = -Infinity;
      for (const at of rooms.values()) newest = Math.max(newest, at);
      if (now - newest >= this.ttlMs) this.byUser.delete(userId);
    }
    this.sweepAt = Math.max(SWEEP_ABOVE_USERS, this.byUser.size * 2);
  }
}
