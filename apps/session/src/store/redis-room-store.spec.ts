import type { Message } from '@app/shared';
import Redis from 'ioredis';
import { redisForThisFile, startRedisServer, uniqueKeyPrefix } from '../../../../test/support/redis-server';
import { createRedisClient } from '@app/redis';
import { epochKey, RedisRoomStore } from './redis-room-store';
import { describeRoomStoreContract } from './room-store.contract';
import { SeqConflictError } from './room-store.port';

const redis = redisForThisFile();

describeRoomStoreContract(
  'redis',
  async () => new RedisRoomStore(createRedisClient(redis.url, 'contract'), { keyPrefix: uniqueKeyPrefix('store'), maxMessages: 1000 }),
);

const msg = (seq: number, text = `text ${seq}`): Message => ({ seq, id: `c-${seq}`, userId: 'u1', name: 'Ann', text, ts: 1_700_000_000_000 + seq });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
const seqs = (list: Message[]) => list.map((m) => m.seq);

describe('RedisRoomStore', () => {
  const opened: RedisRoomStore[] = [];
  function open(options: { keyPrefix: string; maxMessages?: number; historyTtlMs?: number }, redisUrl = redis.url): RedisRoomStore {
    const store = new RedisRoomStore(createRedisClient(redisUrl, 'store'), { maxMessages: 1000, ...options });
    opened.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('keeps a room’s epoch in the hash slot of its history key', () => {
    // The tag is the whole history key, or the tag the history key already has.
    expect(epochKey('rooms:history:abc')).toBe('{rooms:history:abc}:epoch');
    expect(epochKey('{rooms}:history:abc')).toBe('{rooms}:history:abc:epoch');
    // Braces in the prefix that are no hash tag would put the two keys in different slots: refused.
    const client = { defineCommand: () => undefined } as unknown as Redis;
    expect(() => new RedisRoomStore(client, { keyPrefix: 'rooms{}:', maxMessages: 10 })).toThrow(/hash tag/);
    expect(() => new RedisRoomStore(client, { keyPrefix: 'rooms}:', maxMessages: 10 })).toThrow(/hash tag/);
  });

  it('has the keyspace’s identity: the same for every server on one Redis and prefix, another for another prefix', async () => {
    const keyPrefix = uniqueKeyPrefix('identity');
    const [a, b] = await Promise.all([open({ keyPrefix }).identity(), open({ keyPrefix }).identity()]);
    expect(b).toBe(a);
    expect(await open({ keyPrefix: uniqueKeyPrefix('identity-other') }).identity()).not.toBe(a);
  });

  it('keeps the epoch key of a room under its prefix', async () => {
    const keyPrefix = uniqueKeyPrefix('epoch-key');
    const store = open({ keyPrefix });
    await store.load('r', 10, 3);
    const probe = new Redis(redis.url);
    try {
      expect(await probe.get(`{${keyPrefix}history:r}:epoch`)).toBe('3');
    } finally {
      probe.disconnect();
    }
  });

  it('trims to the newest maxMessages and keeps counting seq', async () => {
    const store = open({ keyPrefix: uniqueKeyPrefix('trim'), maxMessages: 5 });
    await store.append('r', range(1, 4), 1);
    await store.append('r', range(5, 8), 1);
    expect(await store.load('r', 100)).toEqual({ lastSeq: 8, messages: range(4, 8), epoch: 1, rev: 0, reads: [] });
    expect(seqs(await store.before('r', 6, 100))).toEqual([4, 5]);
    await expect(store.append('r', [msg(3)], 1)).rejects.toBeInstanceOf(SeqConflictError);
    await store.append('r', range(9, 20), 1);
    expect(await store.load('r', 100)).toEqual({ lastSeq: 20, messages: range(16, 20), epoch: 1, rev: 0, reads: [] });
  });

  it('stops a stale owner: the second server to write a seq gets SeqConflictError', async () => {
    const keyPrefix = uniqueKeyPrefix('stale');
    const oldOwner = open({ keyPrefix });
    const newOwner = open({ keyPrefix });
    await oldOwner.append('r', range(1, 10), 1);
    // The room moved: the new owner loads it and continues.
    const snap = await newOwner.load('r', 100);
    await newOwner.append('r', [msg(snap.lastSeq + 1, 'new owner')], 1);
    // The old owner, partitioned away, still believes it is at seq 10.
    const err = await oldOwner.append('r', [msg(11, 'stale'), msg(12, 'stale')], 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeqConflictError);
    expect(err).toMatchObject({ roomId: 'r', seq: 11 });
    expect(await newOwner.after('r', 10, 10)).toEqual([msg(11, 'new owner')]);
  });

  it('lets exactly one of many racing writers of one seq win', async () => {
    const keyPrefix = uniqueKeyPrefix('race');
    const writers = [open({ keyPrefix }), open({ keyPrefix }), open({ keyPrefix })];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => writers[i % 3].append('r', [msg(1, `writer ${i}`), msg(2, `writer ${i}`)], 1)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(SeqConflictError);
    const { lastSeq, messages } = await writers[0].load('r', 10);
    expect(lastSeq).toBe(2);
    expect(new Set(messages.map((m) => m.text)).size).toBe(1);
  });

  it('stores a batch in one script call', async () => {
    const store = open({ keyPrefix: uniqueKeyPrefix('batch') });
    const spy = jest.spyOn(Redis.prototype, 'sendCommand');
    try {
      await store.append('r', range(1, 50), 1);
      const sent = spy.mock.calls.map(([command]) => (command as { name: string }).name);
      expect(sent.filter((name) => name === 'evalsha' || name === 'eval').length).toBeGreaterThanOrEqual(1);
      expect(sent.filter((name) => name === 'zadd')).toHaveLength(0);
    } finally {
      spy.mockRestore();
    }
    expect((await store.load('r', 100)).lastSeq).toBe(50);
  });

  it('rejects a batch whose seqs are not consecutive without writing', async () => {
    const store = open({ keyPrefix: uniqueKeyPrefix('gap') });
    await expect(store.append('r', [msg(1), msg(3)], 1)).rejects.toThrow(/consecutive/);
    expect((await store.load('r', 10)).lastSeq).toBe(0);
  });

  it('expires history after historyTtlMs when set', async () => {
    const keyPrefix = uniqueKeyPrefix('ttl');
    const store = open({ keyPrefix, historyTtlMs: 60_000 });
    await store.append('r', range(1, 2), 1);
    const probe = new Redis(redis.url);
    try {
      const pttl = await probe.pttl(`${keyPrefix}history:r`);
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      probe.disconnect();
    }
  });

  it('fails fast while Redis is down and works again once it is back', async () => {
    const server = await startRedisServer();
    const store = open({ keyPrefix: uniqueKeyPrefix('outage') }, server.url);
    try {
      await store.append('r', range(1, 3), 1);
      await server.stop();
      for (const call of [() => store.append('r', [msg(4)], 1), () => store.load('r', 10), () => store.after('r', 0, 10)]) {
        const started = Date.now();
        await expect(call()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(2000);
      }
      await server.start();
      // Redis came back empty (no persistence in this test): the store works again from seq 1.
      const deadline = Date.now() + 10_000;
      let stored = false;
      while (!stored && Date.now() < deadline) {
        stored = await store.append('r', [msg(1)], 1).then(
          () => true,
          () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
        );
      }
      expect(stored).toBe(true);
      expect(await store.load('r', 10)).toEqual({ lastSeq: 1, messages: [msg(1)], epoch: 1, rev: 0, reads: [] });
    } finally {
      await server.stop();
    }
  }, 20_000);
});
