import type { SessionHeartbeat } from '@app/shared';
import Redis from 'ioredis';
import { redisForThisFile, startRedisServer, uniqueKeyPrefix } from '../../../../../test/support/redis-server';
import { closeRedisClient, createRedisClient } from '@app/redis';
import { DirectoryUnavailableError, RedisSessionDirectory, SWEEP_AFTER_TTLS } from './redis-session-directory';
import { describeSessionDirectoryContract } from './session-directory.contract';
import { DirectoryTiming } from './session-directory.port';

const T0 = 1_700_000_000_000;
const timing: DirectoryTiming = { heartbeatTtlMs: 10_000, roomTtlMs: 60_000 };

function hb(serverId: string, over: Partial<SessionHeartbeat> = {}): SessionHeartbeat {
  return { serverId, url: `ws://${serverId}/ws`, capacity: 100, rooms: [], connections: 0, draining: false, ...over };
}

const redis = redisForThisFile();

describeSessionDirectoryContract('redis', async (t) => new RedisSessionDirectory(createRedisClient(redis.url, 'contract'), t, uniqueKeyPrefix('dir')));

describe('RedisSessionDirectory', () => {
  const opened: RedisSessionDirectory[] = [];
  function open(prefix: string): RedisSessionDirectory {
    const dir = new RedisSessionDirectory(createRedisClient(redis.url, 'replica'), timing, prefix);
    opened.push(dir);
    return dir;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });

  it('places 20 rooms exactly once under 200 concurrent calls from two replicas', async () => {
    const prefix = uniqueKeyPrefix('replicas');
    const [replicaA, replicaB] = [open(prefix), open(prefix)];
    await replicaA.heartbeat(hb('s1'), T0);
    await replicaB.heartbeat(hb('s2'), T0);
    await replicaA.heartbeat(hb('s3'), T0);
    const rooms = Array.from({ length: 20 }, (_, i) => `room-${i}`);
    const calls = Array.from({ length: 200 }, (_, i) => {
      const roomId = rooms[i % rooms.length];
      const replica = i % 2 === 0 ? replicaA : replicaB;
      return replica.place(roomId, T0 + 1).then((p) => ({ roomId, serverId: p?.server.id, placedNow: p?.placedNow }));
    });
    const results = await Promise.all(calls);

    for (const roomId of rooms) {
      const mine = results.filter((r) => r.roomId === roomId);
      expect(new Set(mine.map((r) => r.serverId)).size).toBe(1);
      expect(mine.filter((r) => r.placedNow)).toHaveLength(1);
    }
    // Both replicas read the same placements, and the counts add up to one per room.
    const [seenByA, seenByB] = await Promise.all([replicaA.placements(), replicaB.placements()]);
    expect(seenByB).toEqual(seenByA);
    const placed = [...seenByA.values()].flat().sort();
    expect(placed).toEqual([...rooms].sort());
    const servers = await replicaB.servers(T0 + 1);
    expect(servers.reduce((sum, s) => sum + s.placedRooms, 0)).toBe(20);
    // Least loaded first spreads 20 rooms over 3 equal servers as 7/7/6.
    expect(servers.map((s) => s.placedRooms).sort()).toEqual([6, 7, 7]);
    for (const roomId of rooms) {
      const [a, b] = await Promise.all([replicaA.place(roomId, T0 + 2), replicaB.place(roomId, T0 + 2)]);
      expect(a?.server.id).toBe(b?.server.id);
      expect(a?.placedNow || b?.placedNow).toBe(false);
    }
  });

  it('keeps every key under its prefix', async () => {
    const prefix = uniqueKeyPrefix('keys');
    const dir = open(prefix);
    await dir.heartbeat(hb('s1'), T0);
    await dir.place('r1', T0);
    await dir.createRoom({ roomId: 'r1', createdAt: T0, createdBy: 'u' }, T0);
    const probe = new Redis(redis.url);
    try {
      const keys = await probe.keys(`${prefix}*`);
      expect(keys.sort()).toEqual(
        [`${prefix}epochs`, `${prefix}placement`, `${prefix}room:r1`, `${prefix}server-rooms:s1`, `${prefix}server:s1`, `${prefix}servers`].sort(),
      );
      // Rooms carry a real expiry as well, so abandoned ones leave Redis.
      const pttl = await probe.pttl(`${prefix}room:r1`);
      expect(pttl).toBeGreaterThan(timing.roomTtlMs - 5000);
      expect(pttl).toBeLessThanOrEqual(timing.roomTtlMs);
    } finally {
      probe.disconnect();
    }
  });

  it('sweeps servers dead for many TTLs, with their placements', async () => {
    const dir = open(uniqueKeyPrefix('sweep'));
    await dir.heartbeat(hb('gone'), T0);
    await dir.place('r1', T0);
    const later = T0 + SWEEP_AFTER_TTLS * timing.heartbeatTtlMs + 1;
    await dir.heartbeat(hb('alive'), later);
    expect((await dir.servers(later)).map((s) => s.id)).toEqual(['alive']);
    expect((await dir.placements()).has('gone')).toBe(false);
    // A dead server that is not swept yet is still listed.
    await dir.heartbeat(hb('recent'), later);
    await dir.heartbeat(hb('alive'), later + timing.heartbeatTtlMs + 1);
    expect((await dir.servers(later)).map((s) => s.id).sort()).toEqual(['alive', 'recent']);
  });

  it('fails fast while Redis is down and works again once it is back', async () => {
    const server = await startRedisServer();
    const dir = new RedisSessionDirectory(createRedisClient(server.url, 'outage'), timing, uniqueKeyPrefix('outage'));
    try {
      await dir.heartbeat(hb('s1'), T0);
      expect((await dir.place('r1', T0))?.server.id).toBe('s1');

      await server.stop();
      for (const call of [() => dir.place('r2', T0), () => dir.heartbeat(hb('s1'), T0), () => dir.getRoom('r1', T0)]) {
        const started = Date.now();
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(Date.now() - started).toBeLessThan(2000);
        // A 503 wherever it reaches Nest, without Redis details for the client.
        expect(err).toBeInstanceOf(DirectoryUnavailableError);
        expect((err as DirectoryUnavailableError).getStatus()).toBe(503);
        expect((err as DirectoryUnavailableError).message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      }

      await server.start();
      // The client reconnects by itself; Redis came back empty, so the server registers again.
      const deadline = Date.now() + 10_000;
      let revoked: string[] | undefined;
      while (revoked === undefined && Date.now() < deadline) {
        revoked = await dir.heartbeat(hb('s1', { rooms: [{ roomId: 'r1', connections: 1, lastActivity: T0 }] }), T0 + 1).then(
          (r) => r.revoked,
          () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
        );
      }
      expect(revoked).toEqual([]);
      // The heartbeat rebuilt the placement of the room the server holds.
      expect(await dir.place('r1', T0 + 1)).toEqual({ server: expect.objectContaining({ id: 's1' }), placedNow: false, epoch: 1 });
    } finally {
      await dir.close();
      await server.stop();
    }
  }, 20_000);
});

describe('createRedisClient', () => {
  it('names its connection', async () => {
    const client = createRedisClient(redis.url, 'named-client');
    try {
      expect(await client.client('GETNAME')).toBe('named-client');
    } finally {
      await closeRedisClient(client);
    }
  });
});
