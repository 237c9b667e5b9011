import { USER_ROOMS_MAX, UserRooms } from './user-rooms.port';

/** The behaviour every UserRooms adapter must have; `make(ttlMs)` returns a fresh, empty one. */
export function describeUserRoomsContract(name: string, make: (ttlMs: number) => Promise<UserRooms>): void {
  describe(`UserRooms contract: ${name}`, () => {
    const T0 = 1_700_000_000_000;
    let rooms: UserRooms;
    beforeEach(async () => {
      rooms = await make(60_000);
    });
    afterEach(async () => {
      await rooms.close();
    });

    it('gives each user only the rooms they opened', async () => {
      await rooms.remember('u1', 'room-a', T0);
      await rooms.remember('u1', 'room-b', T0);
      await rooms.remember('u2', 'room-c', T0);
      expect(await rooms.roomsOf('u1', T0)).toEqual(new Set(['room-a', 'room-b']));
      expect(await rooms.roomsOf('u2', T0)).toEqual(new Set(['room-c']));
      expect(await rooms.roomsOf('u3', T0)).toEqual(new Set());
    });

    it('forgets a room the TTL after the user last opened it', async () => {
      await rooms.remember('u1', 'old', T0);
      await rooms.remember('u1', 'kept', T0);
      await rooms.remember('u1', 'kept', T0 + 30_000);
      expect(await rooms.roomsOf('u1', T0 + 60_000)).toEqual(new Set(['kept']));
    });

    it(`keeps the ${USER_ROOMS_MAX} most recently opened`, async () => {
      for (let i = 0; i <= USER_ROOMS_MAX; i++) await rooms.remember('u1', `r${i}`, T0 + i);
      const kept = await rooms.roomsOf('u1', T0 + USER_ROOMS_MAX);
      expect(kept.size).toBe(USER_ROOMS_MAX);
      expect(kept.has('r0')).toBe(false);
      expect(kept.has(`r${USER_ROOMS_MAX}`)).toBe(true);
    });
  });
}
