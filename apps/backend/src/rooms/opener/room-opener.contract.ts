import type { SessionHeartbeat } from '@app/shared';
import type { QuotaCounter, QuotaRule } from '../../quotas/quota-counter.port';
import type { DirectoryTiming, SessionDirectory } from '../../scheduler/directory/session-directory.port';
import type { UserRooms } from '../../user-rooms/user-rooms.port';
import type { RoomOpener } from './room-opener.port';

/** An opener with the ports it must agree with: the same directory, quota counts and room lists (the contract closes all four). */
export interface OpenerUnderTest {
  opener: RoomOpener;
  directory: SessionDirectory;
  counter: QuotaCounter;
  userRooms: UserRooms;
}

/** Closes the opener and its ports. */
export async function closeOpenerPorts(t: OpenerUnderTest): Promise<void> {
  await Promise.all([t.opener.close(), t.directory.close(), t.counter.close(), t.userRooms.close()]);
}

export const OPENER_TIMING: DirectoryTiming = { heartbeatTtlMs: 10_000, roomTtlMs: 60_000 };

/** The behaviour every RoomOpener adapter must have; `make` returns a fresh one over empty ports (OPENER_TIMING, room-list TTL = roomTtlMs). */
export function describeRoomOpenerContract(name: string, make: () => Promise<OpenerUnderTest>): void {
  describe(`RoomOpener contract: ${name}`, () => {
    const T0 = 1_700_000_000_000;
    const quota: QuotaRule = { key: 'sessions:u1', limit: 3, windowMs: 60_000 };
    let t: OpenerUnderTest;
    beforeEach(async () => {
      t = await make();
      await t.directory.heartbeat(hb('s1'), T0);
      await t.directory.createRoom({ roomId: 'room-a', createdAt: T0, createdBy: 'u0' }, T0);
    });
    afterEach(async () => {
      await closeOpenerPorts(t);
    });

    function hb(serverId: string): SessionHeartbeat {
      return { serverId, url: `ws://${serverId}.test/ws`, capacity: 10, rooms: [], connections: 0, draining: false };
    }

    it('opens the room (placing it, then finding it there under the same epoch), counts the call, records the room for the user', async () => {
      const first = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: T0 + 1, quota });
      expect(first).toEqual({ refused: false, opened: expect.objectContaining({ room: expect.objectContaining({ roomId: 'room-a' }) }) });
      const placement = first.refused ? null : first.opened?.placement;
      expect(placement).toEqual(expect.objectContaining({ placedNow: true, server: expect.objectContaining({ id: 's1', url: 'ws://s1.test/ws' }) }));
      const again = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: T0 + 2, quota });
      expect(again.refused ? null : again.opened?.placement).toEqual(expect.objectContaining({ placedNow: false, epoch: placement?.epoch }));
      expect(await t.userRooms.roomsOf('u1', T0 + 2)).toEqual(new Set(['room-a']));
      // Two of three uses taken: the counter (the 404 path of get-or-start) sees them.
      expect(await t.counter.take(quota.key, quota.limit, quota.windowMs, T0 + 3)).toEqual({ allowed: true });
      expect((await t.counter.take(quota.key, quota.limit, quota.windowMs, T0 + 3)).allowed).toBe(false);
    });

    it('over the quota: refused until the oldest use leaves the window, and nothing placed or recorded', async () => {
      for (let i = 0; i < 3; i++) expect(await t.counter.take(quota.key, quota.limit, quota.windowMs, T0 + i * 1000)).toEqual({ allowed: true });
      expect(await t.opener.open({ userId: 'u1', roomId: 'room-a', now: T0 + 10_000, quota })).toEqual({ refused: true, retryAfterMs: 50_000 });
      expect(await t.directory.placements()).toEqual(new Map());
      expect(await t.userRooms.roomsOf('u1', T0 + 10_000)).toEqual(new Set());
      // The refused call was not counted either: the next is let in as soon as the oldest use leaves.
      await t.directory.touchRooms(['room-a'], T0 + 30_000);
      await t.directory.heartbeat(hb('s1'), T0 + 60_000);
      const later = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: T0 + 60_000, quota });
      expect(later.refused ? null : later.opened?.placement?.placedNow).toBe(true);
    });

    it('an unknown room: counted, null, not recorded', async () => {
      expect(await t.opener.open({ userId: 'u1', roomId: 'nope', now: T0 + 1, quota })).toEqual({ refused: false, opened: null });
      expect(await t.userRooms.roomsOf('u1', T0 + 1)).toEqual(new Set());
      for (let i = 0; i < 2; i++) expect((await t.counter.take(quota.key, quota.limit, quota.windowMs, T0 + 2)).allowed).toBe(true);
      expect((await t.counter.take(quota.key, quota.limit, quota.windowMs, T0 + 2)).allowed).toBe(false);
    });

    it('a room whose server died is placed again under a newer epoch', async () => {
      const first = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: T0 + 1, quota });
      const before = first.refused ? null : first.opened?.placement;
      expect(before?.server.id).toBe('s1');
      const later = T0 + OPENER_TIMING.heartbeatTtlMs + 1_000;
      await t.directory.heartbeat(hb('s2'), later);
      const moved = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: later, quota });
      const after = moved.refused ? null : moved.opened?.placement;
      expect(after).toEqual(expect.objectContaining({ placedNow: true, server: expect.objectContaining({ id: 's2' }) }));
      expect(after?.epoch).toBeGreaterThan(before?.epoch ?? Infinity);
    });

    it('no server can take the room: the room, with a null placement', async () => {
      const later = T0 + OPENER_TIMING.heartbeatTtlMs + 1_000;
      const outcome = await t.opener.open({ userId: 'u1', roomId: 'room-a', now: later, quota });
      expect(outcome).toEqual({ refused: false, opened: expect.objectContaining({ placement: null }) });
    });
  });
}
