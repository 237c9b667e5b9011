import type { HeldRoom, SessionHeartbeat } from '@app/shared';
import { DirectoryTiming, SessionDirectory } from './session-directory.port';

/**
 * The behaviour every `SessionDirectory` adapter must have. An adapter's spec calls
 * `describeSessionDirectoryContract('memory', async (timing) => new MemorySessionDirectory(timing))`.
 * `make` returns a fresh, empty directory each time; the contract closes it after each test.
 * Time is driven through the `now` arguments: nothing here sleeps.
 */
export function describeSessionDirectoryContract(name: string, make: (timing: DirectoryTiming) => Promise<SessionDirectory>): void {
  describe(`SessionDirectory contract: ${name}`, () => {
    const T0 = 1_700_000_000_000;
    const timing: DirectoryTiming = { heartbeatTtlMs: 10_000, roomTtlMs: 60_000 };
    const ttl = timing.heartbeatTtlMs;
    let dir: SessionDirectory;

    beforeEach(async () => {
      dir = await make(timing);
    });
    afterEach(async () => {
      await dir.close();
    });

    function hb(serverId: string, over: Partial<SessionHeartbeat> = {}): SessionHeartbeat {
      return {
        serverId,
        url: `ws://${serverId}.test:8001/ws`,
        capacity: 10,
        rooms: [],
        connections: 0,
        draining: false,
        ...over,
      };
    }
    function held(...roomIds: string[]): HeldRoom[] {
      return roomIds.map((roomId) => ({ roomId, connections: 1, lastActivity: T0 }));
    }
    async function serverById(id: string, now: number) {
      return (await dir.servers(now)).find((s) => s.id === id);
    }
    async function placementOf(roomId: string): Promise<string | undefined> {
      for (const [serverId, rooms] of await dir.placements()) if (rooms.includes(roomId)) return serverId;
      return undefined;
    }

    describe('heartbeat and servers', () => {
      it('registers a server with what its heartbeat says', async () => {
        await dir.heartbeat(hb('s1', { capacity: 7, connections: 3 }), T0);
        expect(await dir.servers(T0)).toEqual([
          { id: 's1', url: 'ws://s1.test:8001/ws', capacity: 7, placedRooms: 0, connections: 3, draining: false, lastHeartbeat: T0 },
        ]);
      });

      it('updates the record on the next heartbeat', async () => {
        await dir.heartbeat(hb('s1'), T0);
        await dir.heartbeat(hb('s1', { url: 'wss://moved.test/ws', connections: 9, draining: true, capacity: 4 }), T0 + 500);
        expect(await serverById('s1', T0 + 500)).toEqual({
          id: 's1',
          url: 'wss://moved.test/ws',
          capacity: 4,
          placedRooms: 0,
          connections: 9,
          draining: true,
          lastHeartbeat: T0 + 500,
        });
      });

      it('lists every server and counts the rooms placed on each', async () => {
        await dir.heartbeat(hb('s1'), T0);
        await dir.heartbeat(hb('s2', { connections: 1 }), T0);
        await dir.place('r1', T0); // s1: fewer connections
        await dir.place('r2', T0); // s2: s1 now more loaded
        await dir.place('r3', T0); // s1: tie on load, fewer connections
        const byId = new Map((await dir.servers(T0)).map((s) => [s.id, s.placedRooms]));
        expect(byId).toEqual(
          new Map([
            ['s1', 2],
            ['s2', 1],
          ]),
        );
        const placements = await dir.placements();
        expect(placements.get('s1')?.sort()).toEqual(['r1', 'r3']);
        expect(placements.get('s2')).toEqual(['r2']);
      });
    });

    describe('place', () => {
      it('returns null when no server is known', async () => {
        expect(await dir.place('r1', T0)).toBeNull();
      });

      it('places on the least loaded server by placedRooms/capacity, not by room count', async () => {
        const bigRooms = ['b1', 'b2', 'b3', 'b4', 'b5'];
        await dir.heartbeat(hb('big', { capacity: 100, connections: 1, rooms: held(...bigRooms) }), T0);
        await dir.heartbeat(hb('small', { capacity: 10, rooms: held('s1') }), T0);
        // big: 5/100 .. 9/100 stays below small's 1/10.
        for (let i = 0; i < 5; i++) expect((await dir.place(`n${i}`, T0))?.server.id).toBe('big');
        // 10/100 ties 1/10 exactly: small has fewer connections.
        expect((await dir.place('tie', T0))?.server.id).toBe('small');
      });

      it('breaks a load tie by fewer connections, then by id', async () => {
        await dir.heartbeat(hb('b', { connections: 5 }), T0);
        await dir.heartbeat(hb('c', { connections: 2 }), T0);
        await dir.heartbeat(hb('a', { connections: 5 }), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('c');
        // c is now 1/10; a and b tie on load and connections: the smaller id wins.
        expect((await dir.place('r2', T0))?.server.id).toBe('a');
        expect((await dir.place('r3', T0))?.server.id).toBe('b');
      });

      it('returns the same server on repeat, placedNow only the first time', async () => {
        await dir.heartbeat(hb('s1'), T0);
        await dir.heartbeat(hb('s2'), T0);
        const first = await dir.place('r1', T0);
        expect(first?.placedNow).toBe(true);
        for (let i = 1; i <= 3; i++) {
          const again = await dir.place('r1', T0 + i);
          expect(again).toEqual({ server: expect.objectContaining({ id: first?.server.id }), placedNow: false, epoch: first?.epoch });
        }
        expect((await serverById(first!.server.id, T0))?.placedRooms).toBe(1);
      });

      it('returns the full server record', async () => {
        await dir.heartbeat(hb('s1', { capacity: 3, connections: 4 }), T0);
        expect(await dir.place('r1', T0 + 1)).toEqual({
          placedNow: true,
          epoch: expect.any(Number),
          server: { id: 's1', url: 'ws://s1.test:8001/ws', capacity: 3, placedRooms: 1, connections: 4, draining: false, lastHeartbeat: T0 },
        });
      });

      it('keeps a room on a server whose heartbeat is exactly TTL old, moves it once older', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('a');
        await dir.heartbeat(hb('b', { connections: 1 }), T0 + ttl + 1);
        expect(await dir.place('r1', T0 + ttl)).toEqual({ server: expect.objectContaining({ id: 'a' }), placedNow: false, epoch: expect.any(Number) });
        const moved = await dir.place('r1', T0 + ttl + 1);
        expect(moved).toEqual({ server: expect.objectContaining({ id: 'b' }), placedNow: true, epoch: expect.any(Number) });
        expect(await placementOf('r1')).toBe('b');
        expect((await serverById('b', T0 + ttl + 1))?.placedRooms).toBe(1);
      });

      it('never places a room on a dead server', async () => {
        await dir.heartbeat(hb('old'), T0);
        expect(await dir.place('r1', T0 + ttl + 1)).toBeNull();
        await dir.heartbeat(hb('new', { connections: 50 }), T0 + 2 * ttl);
        expect((await dir.place('r1', T0 + 2 * ttl))?.server.id).toBe('new');
      });

      it('gives draining servers no new rooms', async () => {
        await dir.heartbeat(hb('a', { draining: true }), T0);
        expect(await dir.place('r1', T0)).toBeNull();
        await dir.heartbeat(hb('b', { connections: 100 }), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('b');
      });

      it('moves a room off a server that started draining (its clients were closed with 1012)', async () => {
        await dir.heartbeat(hb('a'), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('a');
        await dir.heartbeat(hb('a', { draining: true, rooms: held('r1') }), T0 + 1);
        await dir.heartbeat(hb('b'), T0 + 1);
        expect(await dir.place('r1', T0 + 2)).toEqual({ server: expect.objectContaining({ id: 'b' }), placedNow: true, epoch: expect.any(Number) });
        // The draining server still reports the room: it is told to drop it.
        expect(await dir.heartbeat(hb('a', { draining: true, rooms: held('r1') }), T0 + 3)).toEqual({ revoked: ['r1'], moved: [], drain: false });
      });

      it('respects capacity: null when every live server is full', async () => {
        await dir.heartbeat(hb('a', { capacity: 2 }), T0);
        await dir.heartbeat(hb('b', { capacity: 1 }), T0);
        const ids = [];
        for (const room of ['r1', 'r2', 'r3']) ids.push((await dir.place(room, T0))?.server.id);
        expect(ids.sort()).toEqual(['a', 'a', 'b']);
        expect(await dir.place('r4', T0)).toBeNull();
        // A placed room is still found while everything is full.
        expect((await dir.place('r1', T0))?.placedNow).toBe(false);
      });

      it('takes no room on a server with capacity 0', async () => {
        await dir.heartbeat(hb('a', { capacity: 0 }), T0);
        expect(await dir.place('r1', T0)).toBeNull();
      });

      it('frees the slot of a room moved off a dead server', async () => {
        await dir.heartbeat(hb('a', { capacity: 1 }), T0);
        await dir.heartbeat(hb('b', { capacity: 1, connections: 1 }), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('a');
        await dir.heartbeat(hb('b', { capacity: 1, connections: 1 }), T0 + ttl + 1);
        expect((await dir.place('r1', T0 + ttl + 1))?.server.id).toBe('b');
        await dir.heartbeat(hb('a', { capacity: 1 }), T0 + ttl + 2); // a is back, empty
        expect((await serverById('a', T0 + ttl + 2))?.placedRooms).toBe(0);
        expect((await dir.place('r2', T0 + ttl + 2))?.server.id).toBe('a');
      });

      it('places one room once under 50 concurrent calls', async () => {
        for (const id of ['s1', 's2', 's3']) await dir.heartbeat(hb(id), T0);
        const results = await Promise.all(Array.from({ length: 50 }, () => dir.place('hot', T0)));
        expect(new Set(results.map((p) => p?.server.id)).size).toBe(1);
        expect(results.filter((p) => p?.placedNow)).toHaveLength(1);
        const counts = (await dir.servers(T0)).map((s) => s.placedRooms);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
      });
    });

    describe('heartbeat placements', () => {
      it('re-adopts reported rooms that are unplaced', async () => {
        expect(await dir.heartbeat(hb('s1', { rooms: held('r1', 'r2') }), T0)).toEqual({ revoked: [], moved: [], drain: false });
        expect((await dir.placements()).get('s1')?.sort()).toEqual(['r1', 'r2']);
        expect((await serverById('s1', T0))?.placedRooms).toBe(2);
        expect(await dir.place('r1', T0)).toEqual({ server: expect.objectContaining({ id: 's1' }), placedNow: false, epoch: expect.any(Number) });
      });

      it('re-adopts reported rooms placed on a dead server', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.place('r1', T0);
        expect(await dir.heartbeat(hb('b', { rooms: held('r1') }), T0 + ttl + 1)).toEqual({ revoked: [], moved: [], drain: false });
        expect(await placementOf('r1')).toBe('b');
      });

      it('revokes reported rooms placed on another live server, leaving the placement', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        expect((await dir.place('r1', T0))?.server.id).toBe('a');
        expect(await dir.heartbeat(hb('b', { rooms: held('r1', 'r2') }), T0 + 1)).toEqual({ revoked: ['r1'], moved: [], drain: false });
        expect(await placementOf('r1')).toBe('a');
        expect(await placementOf('r2')).toBe('b');
      });

      it('keeps a placement its server reports, and releases one it stopped reporting for a whole TTL', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.place('kept', T0);
        await dir.place('gone', T0);
        await dir.heartbeat(hb('a', { rooms: held('kept') }), T0 + 1); // placed just now: the client is still coming
        expect((await serverById('a', T0 + 1))?.placedRooms).toBe(2);
        await dir.heartbeat(hb('a', { rooms: held('kept') }), T0 + ttl + 1);
        expect((await dir.placements()).get('a')).toEqual(['kept']);
        expect((await serverById('a', T0 + ttl + 1))?.placedRooms).toBe(1);
        expect((await dir.place('gone', T0 + ttl + 2))?.placedNow).toBe(true);
      });
    });

    describe('epochs', () => {
      function heldAt(roomId: string, epoch: number | undefined): HeldRoom[] {
        return [{ roomId, connections: 1, lastActivity: T0, epoch }];
      }

      it('gives a first placement an epoch ≥ 1 and keeps it while the room stays', async () => {
        await dir.heartbeat(hb('a'), T0);
        const first = await dir.place('r1', T0);
        expect(first?.epoch).toBeGreaterThanOrEqual(1);
        expect((await dir.place('r1', T0 + 1))?.epoch).toBe(first?.epoch);
        expect(await dir.openRoom('missing', T0 + 1)).toBeNull();
      });

      it('grows the epoch with every placement: after a dead server, a drain, a release', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        const e1 = (await dir.place('r1', T0))!.epoch;
        // a dies: placed on b under a newer epoch.
        await dir.heartbeat(hb('b', { connections: 1 }), T0 + ttl + 1);
        const moved = await dir.place('r1', T0 + ttl + 1);
        expect(moved?.server.id).toBe('b');
        expect(moved!.epoch).toBeGreaterThan(e1);
        // b drains: placed on a (back) under a newer epoch still.
        await dir.heartbeat(hb('a'), T0 + ttl + 2);
        await dir.heartbeat(hb('b', { draining: true, rooms: heldAt('r1', moved!.epoch) }), T0 + ttl + 2);
        const third = await dir.place('r1', T0 + ttl + 3);
        expect(third?.server.id).toBe('a');
        expect(third!.epoch).toBeGreaterThan(moved!.epoch);
        // a lets it go (not reported for a TTL): the next placement is newer again.
        await dir.heartbeat(hb('a'), T0 + 2 * ttl + 4);
        const fourth = await dir.place('r1', T0 + 2 * ttl + 5);
        expect(fourth?.placedNow).toBe(true);
        expect(fourth!.epoch).toBeGreaterThan(third!.epoch);
      });

      it('gives one epoch to 50 concurrent callers of one room', async () => {
        for (const id of ['s1', 's2']) await dir.heartbeat(hb(id), T0);
        const results = await Promise.all(Array.from({ length: 50 }, () => dir.place('hot', T0)));
        expect(new Set(results.map((p) => p?.epoch)).size).toBe(1);
      });

      it('re-adopts a reported room under the epoch the server holds it under', async () => {
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', 7) }), T0)).toEqual({ revoked: [], moved: [], drain: false });
        expect(await dir.place('r1', T0)).toEqual(expect.objectContaining({ placedNow: false, epoch: 7 }));
      });

      it('revokes a room reported under an older epoch than its newest placement, on a dead owner too', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        const old = (await dir.place('r1', T0))!; // on a
        // a is paused; the room moves to b; then b dies too.
        await dir.heartbeat(hb('b', { connections: 1 }), T0 + ttl + 1);
        const newer = (await dir.place('r1', T0 + ttl + 1))!;
        expect(newer.server.id).toBe('b');
        // a wakes up after b died, still holding the old copy: it is not handed the room back.
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', old.epoch) }), T0 + 3 * ttl)).toEqual({ revoked: ['r1'], moved: [], drain: false });
        const again = await dir.place('r1', T0 + 3 * ttl);
        expect(again?.server.id).toBe('a');
        expect(again!.epoch).toBeGreaterThan(newer.epoch);
      });

      it('revokes the old copy a server holds after the room was placed on it again', async () => {
        await dir.heartbeat(hb('a'), T0);
        const first = (await dir.place('r1', T0))!;
        await dir.heartbeat(hb('a', { rooms: heldAt('r1', first.epoch) }), T0 + ttl + 1);
        // Placed again on a under a newer epoch (a missed a beat, nobody else could take it).
        await dir.heartbeat(hb('a'), T0 + 3 * ttl);
        const second = (await dir.place('r1', T0 + 3 * ttl + 1))!;
        expect(second.epoch).toBeGreaterThan(first.epoch);
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', first.epoch) }), T0 + 3 * ttl + 2)).toEqual({ revoked: ['r1'], moved: [], drain: false });
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', second.epoch) }), T0 + 3 * ttl + 3)).toEqual({ revoked: [], moved: [], drain: false });
      });
    });

    describe('moves and drains', () => {
      function heldAt(roomId: string, epoch: number): HeldRoom[] {
        return [{ roomId, connections: 1, lastActivity: T0, epoch }];
      }

      it('moves a room to the least loaded other server under a new epoch, and tells the former owner once', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 5 }), T0);
        await dir.heartbeat(hb('c', { connections: 9 }), T0);
        const first = (await dir.place('r1', T0))!;
        expect(first.server.id).toBe('a');
        const moved = await dir.move('r1', T0 + 1);
        expect(moved).toEqual({ server: expect.objectContaining({ id: 'b' }), placedNow: true, epoch: expect.any(Number) });
        expect(moved!.epoch).toBeGreaterThan(first.epoch);
        expect(await dir.place('r1', T0 + 2)).toEqual({ server: expect.objectContaining({ id: 'b' }), placedNow: false, epoch: moved!.epoch });
        // a still reports the room: it is told to move its members (not revoked), once.
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', first.epoch) }), T0 + 3)).toEqual({ revoked: [], moved: ['r1'], drain: false });
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', first.epoch) }), T0 + 4)).toEqual({ revoked: ['r1'], moved: [], drain: false });
        expect((await serverById('a', T0 + 4))?.placedRooms).toBe(0);
      });

      it('moves a room to a given server, refuses a dead or draining one, and keeps it where it is when asked to', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 5 }), T0);
        await dir.heartbeat(hb('c', { connections: 9, draining: true }), T0);
        const first = (await dir.place('r1', T0))!;
        expect(await dir.move('r1', T0 + 1, 'c')).toBeNull();
        expect(await dir.move('r1', T0 + 1, 'nobody')).toBeNull();
        expect(await dir.move('r1', T0 + 1, 'a')).toEqual({ server: expect.objectContaining({ id: 'a' }), placedNow: false, epoch: first.epoch });
        const toB = await dir.move('r1', T0 + 2, 'b');
        expect(toB?.server.id).toBe('b');
        expect(await placementOf('r1')).toBe('b');
      });

      it('returns null when no other server can take the room, leaving it where it is', async () => {
        await dir.heartbeat(hb('a'), T0);
        const first = (await dir.place('r1', T0))!;
        expect(await dir.move('r1', T0 + 1)).toBeNull();
        expect(await dir.place('r1', T0 + 1)).toEqual({ server: expect.objectContaining({ id: 'a' }), placedNow: false, epoch: first.epoch });
      });

      it('drains a server: its rooms placed elsewhere under new epochs, no new room for it, its heartbeats told', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 5 }), T0);
        const r1 = (await dir.place('r1', T0))!;
        await dir.heartbeat(hb('a'), T0);
        const r2 = (await dir.place('r2', T0))!;
        expect([r1.server.id, r2.server.id]).toEqual(['a', 'b']);
        expect(await dir.drain('a', T0 + 1)).toEqual(['r1']);
        const after = await dir.place('r1', T0 + 2);
        expect(after?.server.id).toBe('b');
        expect(after?.placedNow).toBe(false);
        expect(after!.epoch).toBeGreaterThan(r1.epoch);
        expect((await serverById('a', T0 + 2))?.draining).toBe(true);
        expect((await dir.place('r3', T0 + 2))?.server.id).toBe('b');
        // Its heartbeat (still saying draining: false) gets the moves and the order to drain.
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', r1.epoch) }), T0 + 3)).toEqual({ revoked: [], moved: ['r1'], drain: true });
        expect((await serverById('a', T0 + 3))?.draining).toBe(true);
        expect(await dir.drain('nobody', T0)).toBeNull();
      });

      it('leaves a drained room unplaced when no server can take it', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.place('r1', T0);
        expect(await dir.drain('a', T0 + 1)).toEqual(['r1']);
        expect(await dir.place('r1', T0 + 2)).toBeNull();
        expect(await dir.heartbeat(hb('a', { rooms: heldAt('r1', 1) }), T0 + 3)).toEqual(expect.objectContaining({ moved: ['r1'], drain: true }));
      });
    });

    describe('room stores (each room only where its history is)', () => {
      it('binds a room to the store of the server it was first placed on, and never places it with another store', async () => {
        await dir.heartbeat(hb('a', { store: 'sqlite:A' }), T0);
        await dir.heartbeat(hb('b', { store: 'sqlite:B', connections: 5 }), T0);
        expect((await dir.place('r1', T0))!.server.id).toBe('a');
        expect(await dir.roomStore('r1')).toBe('sqlite:A');
        expect((await serverById('a', T0))?.store).toBe('sqlite:A');
        // a goes silent: b is live and has room, but its store does not hold r1's history.
        await dir.heartbeat(hb('b', { store: 'sqlite:B' }), T0 + ttl + 1);
        expect(await dir.place('r1', T0 + ttl + 1)).toBeNull();
        expect((await dir.openRoom('r1', T0 + ttl + 1))?.placement ?? null).toBeNull();
        // A server on r1's store (another process on the same shared file) may take it.
        await dir.heartbeat(hb('c', { store: 'sqlite:A' }), T0 + ttl + 2);
        expect((await dir.place('r1', T0 + ttl + 2))!.server.id).toBe('c');
      });

      it('revokes a room reported by a server whose store does not hold it, instead of adopting it', async () => {
        await dir.heartbeat(hb('a', { store: 'sqlite:A' }), T0);
        const first = (await dir.place('r1', T0))!;
        // a is dead; b reports a copy of r1 (it served the room from its own empty store).
        const outcome = await dir.heartbeat(
          hb('b', { store: 'sqlite:B', rooms: [{ roomId: 'r1', connections: 1, lastActivity: T0, epoch: first.epoch + 1 }] }),
          T0 + ttl + 1,
        );
        expect(outcome.revoked).toEqual(['r1']);
        expect(await placementOf('r1')).not.toBe('b');
        expect(await dir.roomStore('r1')).toBe('sqlite:A');
      });

      it('moves and drains only to servers with the room’s store', async () => {
        await dir.heartbeat(hb('a', { store: 'redis:1' }), T0);
        await dir.heartbeat(hb('b', { store: 'redis:2' }), T0);
        await dir.heartbeat(hb('c', { store: 'redis:1', connections: 9 }), T0);
        expect((await dir.place('r1', T0))!.server.id).toBe('a');
        expect(await dir.move('r1', T0 + 1, 'b')).toBeNull();
        expect((await dir.move('r1', T0 + 1))?.server.id).toBe('c');
        expect(await dir.drain('c', T0 + 2)).toEqual(['r1']);
        expect(await placementOf('r1')).toBe('a');
        expect(await dir.drain('a', T0 + 3)).toEqual(['r1']);
        // Only b is left taking rooms, with another store: the room stays unplaced.
        expect(await placementOf('r1')).toBeUndefined();
      });

      it('lets servers that do not say their store take any room, and binds nothing for them', async () => {
        await dir.heartbeat(hb('old'), T0);
        expect((await dir.place('r1', T0))!.server.id).toBe('old');
        expect(await dir.roomStore('r1')).toBeNull();
        await dir.heartbeat(hb('new', { store: 'sqlite:N' }), T0);
        expect((await dir.place('r2', T0))!.server.id).toBe('new');
        await dir.heartbeat(hb('old'), T0 + ttl + 1);
        expect((await dir.place('r2', T0 + ttl + 1))!.server.id).toBe('old');
      });

      it('forgets the binding when the room expires', async () => {
        await dir.heartbeat(hb('a', { store: 'sqlite:A' }), T0);
        await dir.place('r1', T0);
        await dir.createRoom({ roomId: 'r1', createdAt: T0, createdBy: 'u' }, T0);
        expect(await dir.roomStore('r1')).toBe('sqlite:A');
        expect(await dir.getRoom('r1', T0 + timing.roomTtlMs + 1)).toBeNull();
        expect(await dir.roomStore('r1')).toBeNull();
      });
    });

    describe('removeServer', () => {
      it('forgets the server at once and makes its rooms placeable elsewhere', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        await dir.place('r1', T0);
        await dir.removeServer('a');
        expect((await dir.servers(T0)).map((s) => s.id)).toEqual(['b']);
        expect((await dir.placements()).has('a')).toBe(false);
        expect(await dir.place('r1', T0)).toEqual({ server: expect.objectContaining({ id: 'b' }), placedNow: true, epoch: expect.any(Number) });
      });

      it('ignores an unknown server', async () => {
        await expect(dir.removeServer('nobody')).resolves.toBeUndefined();
      });
    });

    describe('rooms', () => {
      const room = { roomId: 'room-1', name: 'Lobby', createdAt: T0, createdBy: 'user-1' };
      const roomTtl = timing.roomTtlMs;

      it('returns a created room, and null for an unknown one', async () => {
        await dir.createRoom(room, T0);
        expect(await dir.getRoom('room-1', T0 + 1)).toEqual(room);
        expect(await dir.getRoom('nope', T0)).toBeNull();
      });

      it('keeps the kind (version 3): a board stays a board in getRoom, openRoom and the summaries; no kind reads as none (chat)', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.createRoom({ roomId: 'room-b', kind: 'board', createdAt: T0, createdBy: 'u' }, T0);
        await dir.createRoom({ roomId: 'room-c', createdAt: T0, createdBy: 'u' }, T0);
        expect(await dir.getRoom('room-b', T0)).toEqual({ roomId: 'room-b', kind: 'board', createdAt: T0, createdBy: 'u' });
        expect((await dir.openRoom('room-b', T0))?.room.kind).toBe('board');
        expect((await dir.getRoom('room-c', T0))?.kind).toBeUndefined();
        expect((await dir.roomSummaries(['room-b', 'room-c'], T0)).map((r) => r.kind)).toEqual(['board', 'chat']);
      });

      it('keeps a room without a name', async () => {
        await dir.createRoom({ roomId: 'room-2', createdAt: T0, createdBy: 'u' }, T0);
        const got = await dir.getRoom('room-2', T0);
        expect(got).toEqual({ roomId: 'room-2', createdAt: T0, createdBy: 'u' });
        expect(got?.name).toBeUndefined();
      });

      it('expires a room after roomTtlMs without a touch', async () => {
        await dir.createRoom(room, T0);
        expect(await dir.getRoom('room-1', T0 + roomTtl - 1)).toEqual(room);
        expect(await dir.getRoom('room-1', T0 + roomTtl + 1)).toBeNull();
        // Expired stays expired.
        expect(await dir.getRoom('room-1', T0 + roomTtl - 1)).toBeNull();
      });

      it('pushes the expiry back on touchRooms', async () => {
        await dir.createRoom(room, T0);
        await dir.createRoom({ ...room, roomId: 'room-untouched' }, T0);
        const touched = T0 + roomTtl - 1;
        await dir.touchRooms(['room-1', 'unknown-room'], touched);
        expect(await dir.getRoom('room-1', touched + roomTtl - 1)).toEqual(room);
        expect(await dir.getRoom('room-untouched', touched + roomTtl - 1)).toBeNull();
        expect(await dir.getRoom('room-1', touched + roomTtl + 1)).toBeNull();
        expect(await dir.getRoom('unknown-room', touched)).toBeNull();
      });

      it('does not revive an expired room on touch', async () => {
        await dir.createRoom(room, T0);
        await dir.touchRooms(['room-1'], T0 + roomTtl + 1);
        expect(await dir.getRoom('room-1', T0 + roomTtl + 2)).toBeNull();
      });

      it('accepts an empty touch', async () => {
        await expect(dir.touchRooms([], T0)).resolves.toBeUndefined();
      });
    });

    describe('openRoom', () => {
      const room = { roomId: 'room-1', name: 'Lobby', createdAt: T0, createdBy: 'user-1' };
      const roomTtl = timing.roomTtlMs;

      it('returns null for an unknown room, and places nothing', async () => {
        await dir.heartbeat(hb('a'), T0);
        expect(await dir.openRoom('nope', T0)).toBeNull();
        expect((await dir.servers(T0))[0].placedRooms).toBe(0);
      });

      it('returns the room and places it, then finds it placed', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.createRoom(room, T0);
        const first = await dir.openRoom('room-1', T0 + 1);
        expect(first).toEqual({
          room,
          placement: { server: expect.objectContaining({ id: 'a', placedRooms: 1 }), placedNow: true, epoch: expect.any(Number) },
        });
        const again = await dir.openRoom('room-1', T0 + 2);
        expect(again?.placement).toEqual({ server: expect.objectContaining({ id: 'a', placedRooms: 1 }), placedNow: false, epoch: expect.any(Number) });
      });

      it('returns the room with a null placement when no server can take it', async () => {
        await dir.createRoom(room, T0);
        expect(await dir.openRoom('room-1', T0)).toEqual({ room, placement: null });
      });

      it('marks the room active, pushing its expiry back', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.createRoom(room, T0);
        const opened = T0 + roomTtl - 1;
        await dir.heartbeat(hb('a'), opened);
        expect(await dir.openRoom('room-1', opened)).not.toBeNull();
        expect(await dir.getRoom('room-1', opened + roomTtl - 1)).toEqual(room);
      });

      it('tells who is in a room its server reported full, until a report says otherwise or it moves', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.heartbeat(hb('b', { connections: 1 }), T0);
        await dir.createRoom(room, T0);
        const placed = (await dir.openRoom('room-1', T0))!.placement!;
        expect(placed.server.id).toBe('a');
        const held = (memberIds?: string[]): HeldRoom[] => [{ roomId: 'room-1', connections: 2, lastActivity: T0, epoch: placed.epoch, members: 2, memberIds }];
        await dir.heartbeat(hb('a', { rooms: held(['u1', 'u2']) }), T0 + 1);
        expect((await dir.openRoom('room-1', T0 + 2))?.fullWith).toEqual(['u1', 'u2']);
        // Another server reporting it full (a stale copy) changes nothing.
        await dir.heartbeat(hb('b', { connections: 1, rooms: held(['x']) }), T0 + 3);
        expect((await dir.openRoom('room-1', T0 + 4))?.fullWith).toEqual(['u1', 'u2']);
        await dir.heartbeat(hb('a', { rooms: held() }), T0 + 5);
        expect((await dir.openRoom('room-1', T0 + 6))?.fullWith).toBeUndefined();
        await dir.heartbeat(hb('a', { rooms: held(['u1', 'u2']) }), T0 + 7);
        // a dies: the room is placed on b, where nobody is yet.
        await dir.heartbeat(hb('b', { connections: 1 }), T0 + ttl + 8);
        const moved = await dir.openRoom('room-1', T0 + ttl + 8);
        expect(moved?.placement?.server.id).toBe('b');
        expect(moved?.fullWith).toBeUndefined();
        expect((await dir.openRoom('room-1', T0 + ttl + 9))?.fullWith).toBeUndefined();
      });

      it("keeps a full room's members while its server reports them unchanged, and drops them when it says the room is not full", async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.createRoom(room, T0);
        const placed = (await dir.openRoom('room-1', T0))!.placement!;
        const held = (extra: Partial<HeldRoom>): HeldRoom[] => [
          { roomId: 'room-1', connections: 2, lastActivity: T0, epoch: placed.epoch, members: 2, ...extra },
        ];
        await dir.heartbeat(hb('a', { rooms: held({ memberIds: ['u1', 'u2'] }) }), T0 + 1);
        await dir.heartbeat(hb('a', { rooms: held({ membersUnchanged: true }) }), T0 + 2);
        await dir.heartbeat(hb('a', { rooms: held({ membersUnchanged: true }) }), T0 + 3);
        expect((await dir.openRoom('room-1', T0 + 4))?.fullWith).toEqual(['u1', 'u2']);
        await dir.heartbeat(hb('a', { rooms: held({ memberIds: ['u1', 'u3'] }) }), T0 + 5);
        await dir.heartbeat(hb('a', { rooms: held({ membersUnchanged: true }) }), T0 + 6);
        expect((await dir.openRoom('room-1', T0 + 7))?.fullWith).toEqual(['u1', 'u3']);
        await dir.heartbeat(hb('a', { rooms: held({}) }), T0 + 8);
        expect((await dir.openRoom('room-1', T0 + 9))?.fullWith).toBeUndefined();
        // Unchanged with no list known (a backend that lost it): not full, until the next list.
        await dir.heartbeat(hb('a', { rooms: held({ membersUnchanged: true }) }), T0 + 10);
        expect((await dir.openRoom('room-1', T0 + 11))?.fullWith).toBeUndefined();
      });

      it('treats an expired room as gone, and frees its slot', async () => {
        await dir.heartbeat(hb('a'), T0);
        await dir.createRoom(room, T0);
        await dir.openRoom('room-1', T0);
        const later = T0 + roomTtl + 1;
        await dir.heartbeat(hb('a', { rooms: [] }), later - 1);
        expect(await dir.openRoom('room-1', later)).toBeNull();
        expect((await dir.placements()).get('a') ?? []).not.toContain('room-1');
      });
    });

    describe('room summaries (version 2)', () => {
      const roomTtl = timing.roomTtlMs;
      const create = (roomId: string, name?: string) => dir.createRoom({ roomId, name, createdAt: T0, createdBy: 'user-1' }, T0);

      it("answers the live rooms asked for, in the order asked, from their server's reports", async () => {
        await dir.heartbeat(hb('a'), T0);
        await create('room-1', 'Friday standup');
        await create('room-2');
        const placed = await dir.place('room-1', T0);
        expect(await dir.roomSummaries(['room-2', 'nope', 'room-1'], T0)).toEqual([
          { roomId: 'room-2', name: null, kind: 'chat', lastSeq: 0, online: 0, lastActivityAt: T0 },
          { roomId: 'room-1', name: 'Friday standup', kind: 'chat', lastSeq: 0, online: 0, lastActivityAt: T0 },
        ]);
        const rooms: HeldRoom[] = [{ roomId: 'room-1', connections: 3, members: 2, lastSeq: 42, lastActivity: T0 + 50, epoch: placed!.epoch }];
        await dir.heartbeat(hb('a', { rooms }), T0 + 100);
        expect(await dir.roomSummaries(['room-1'], T0 + 200)).toEqual([
          { roomId: 'room-1', name: 'Friday standup', kind: 'chat', lastSeq: 42, online: 2, lastActivityAt: T0 + 50 },
        ]);
        // The server stopped reporting it (room closed, or server dead): nobody online, last seq kept.
        expect(await dir.roomSummaries(['room-1'], T0 + 100 + ttl + 1)).toEqual([
          { roomId: 'room-1', name: 'Friday standup', kind: 'chat', lastSeq: 42, online: 0, lastActivityAt: T0 + 50 },
        ]);
      });

      it('leaves expired rooms out and marks nothing active', async () => {
        await dir.heartbeat(hb('a'), T0);
        await create('room-1');
        expect(await dir.roomSummaries(['room-1'], T0 + roomTtl - 1)).toHaveLength(1);
        expect(await dir.roomSummaries(['room-1'], T0 + roomTtl)).toEqual([]);
      });

      it('takes no report into a room it does not know', async () => {
        await dir.heartbeat(hb('a', { rooms: [{ roomId: 'ghost', connections: 1, lastSeq: 3, lastActivity: T0 }] }), T0);
        expect(await dir.roomSummaries(['ghost'], T0)).toEqual([]);
      });
    });
  });
}
