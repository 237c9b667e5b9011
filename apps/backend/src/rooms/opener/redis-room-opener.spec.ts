import type { SessionHeartbeat } from '@app/shared';
import { createRedisClient } from '@app/redis';
import { redisForThisFile, uniqueKeyPrefix } from '../../../../../test/support/redis-server';
import { RedisQuotaCounter } from '../../quotas/redis-quota-counter';
import { RedisSessionDirectory } from '../../scheduler/directory/redis-session-directory';
import { RedisUserRooms } from '../../user-rooms/redis-user-rooms';
import { RedisRoomOpener } from './redis-room-opener';
import { closeOpenerPorts, describeRoomOpenerContract, OPENER_TIMING } from './room-opener.contract';
import type { OpeningOutcome } from './room-opener.port';

const redis = redisForThisFile();

function redisPorts(prefix: string) {
  const opener = new RedisRoomOpener(createRedisClient(redis.url, 'opener'), OPENER_TIMING, prefix, OPENER_TIMING.roomTtlMs);
  const directory = new RedisSessionDirectory(createRedisClient(redis.url, 'opener-directory'), OPENER_TIMING, prefix);
  const counter = new RedisQuotaCounter(createRedisClient(redis.url, 'opener-quotas'), prefix);
  const userRooms = new RedisUserRooms(createRedisClient(redis.url, 'opener-user-rooms'), prefix, OPENER_TIMING.roomTtlMs);
  return { opener, directory, counter, userRooms };
}

// The prefix without its ':' on purpose: every adapter must join it the same way.
describeRoomOpenerContract('redis', async () => redisPorts(uniqueKeyPrefix('opener').slice(0, -1)));

describe('RedisRoomOpener across replicas', () => {
  const T0 = 1_700_000_000_000;
  const hb = (serverId: string): SessionHeartbeat => ({ serverId, url: `ws://${serverId}/ws`, capacity: 100, rooms: [], connections: 0, draining: false });
  const placed = (o: OpeningOutcome) => (o.refused ? undefined : o.opened?.placement);

  it('lets exactly the quota in among 60 concurrent calls from two backends, and places each room once under one epoch', async () => {
    const prefix = uniqueKeyPrefix('opener-replicas');
    const [a, b] = [redisPorts(prefix), redisPorts(prefix)];
    try {
      await a.directory.heartbeat(hb('s1'), T0);
      await b.directory.heartbeat(hb('s2'), T0);
      const rooms = ['r0', 'r1', 'r2'];
      for (const roomId of rooms) await a.directory.createRoom({ roomId, createdAt: T0, createdBy: 'u1' }, T0);
      const quota = { key: 'sessions:u1', limit: 20, windowMs: 60_000 };
      const outcomes = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? a : b).opener.open({ userId: 'u1', roomId: rooms[i % 3], now: T0 + 1, quota }).then((o) => ({ roomId: rooms[i % 3], o })),
        ),
      );
      const allowed = outcomes.filter(({ o }) => !o.refused);
      expect(allowed).toHaveLength(20);
      for (const { o } of outcomes.filter(({ o }) => o.refused)) expect(o).toEqual({ refused: true, retryAfterMs: 60_000 });
      for (const roomId of rooms) {
        const mine = allowed.filter((x) => x.roomId === roomId).map(({ o }) => placed(o));
        expect(mine.length).toBeGreaterThan(0);
        expect(new Set(mine.map((p) => p?.server.id)).size).toBe(1);
        expect(mine.filter((p) => p?.placedNow)).toHaveLength(1);
        expect(new Set(mine.map((p) => p?.epoch))).toEqual(new Set([1]));
      }
      expect(await b.userRooms.roomsOf('u1', T0 + 1)).toEqual(new Set(rooms));
      // The 20 uses are in the counter every replica reads.
      expect((await b.counter.take(quota.key, quota.limit, quota.windowMs, T0 + 2)).allowed).toBe(false);
    } finally {
      await Promise.all([closeOpenerPorts(a), closeOpenerPorts(b)]);
    }
  });

  it('a refused call places nothing: the room stays unplaced and its epoch unbumped', async () => {
    const prefix = uniqueKeyPrefix('opener-refused');
    const t = redisPorts(prefix);
    try {
      await t.directory.heartbeat(hb('s1'), T0);
      await t.directory.createRoom({ roomId: 'r0', createdAt: T0, createdBy: 'u1' }, T0);
      const quota = { key: 'sessions:u1', limit: 1, windowMs: 60_000 };
      await t.counter.take(quota.key, quota.limit, quota.windowMs, T0);
      for (let i = 0; i < 5; i++) expect((await t.opener.open({ userId: 'u1', roomId: 'r0', now: T0 + 1 + i, quota })).refused).toBe(true);
      expect(await t.directory.placements()).toEqual(new Map());
      expect(await t.userRooms.roomsOf('u1', T0 + 10)).toEqual(new Set());
      // Another user (own quota) opens it: the first placement, epoch 1.
      const other = await t.opener.open({ userId: 'u2', roomId: 'r0', now: T0 + 10, quota: { ...quota, key: 'sessions:u2' } });
      expect(placed(other)).toEqual(expect.objectContaining({ placedNow: true, epoch: 1 }));
    } finally {
      await closeOpenerPorts(t);
    }
  });

  it('answers 503 (DirectoryUnavailableError) when Redis is gone', async () => {
    const opener = new RedisRoomOpener(createRedisClient('redis://127.0.0.1:1', 'opener-down'), OPENER_TIMING, 'x', 1000);
    try {
      await expect(opener.open({ userId: 'u', roomId: 'r', now: T0, quota: { key: 'k', limit: 1, windowMs: 1000 } })).rejects.toMatchObject({ status: 503 });
    } finally {
      await opener.close();
    }
  });
});
