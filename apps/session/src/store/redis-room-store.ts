import type { MessageV2, ReadMarker } from '@app/shared';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { closeRedisClient } from '@app/redis';
import { RoomFence, RoomSnapshot, RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';
import { newestRev } from './newest-rev';

export interface RedisRoomStoreOptions {
  keyPrefix: string;
  /** Newest messages kept per room; older ones are trimmed. At least the resume limit. */
  maxMessages: number;
  /** When set, a room's history expires this long after its last append. */
  historyTtlMs?: number;
}

/**
 * History in Redis, shared by every session server: after a crash, whichever server the room is
 * placed on next loads it from here and continues its seq.
 *
 * One sorted set per room, `<prefix>history:<roomId>`: score = seq, member = the message as JSON.
 * `append` is one Lua script per batch: it checks that the batch starts after the stored last seq,
 * adds the whole batch and trims to `maxMessages`, atomically. A server that lost the room (a
 * partition, a stale owner) and tries to write a seq the new owner already wrote gets
 * `SeqConflictError` and nothing of its batch is stored.
 *
 * Fencing: the newest epoch seen for a room is a string key beside its history, in the same hash
 * slot (`epochKey`), so the scripts read and write both atomically, also on Redis Cluster. `load`
 * with a claim raises the epoch and reads the history in one script; `append` refuses a batch under
 * an older epoch in the same script that stores it.
 *
 * Revisions and read markers (version 2) are two more keys in that slot: the room's `rev` (a string,
 * raised by the same script that appends or replaces the messages that carry it) and its read
 * markers (a hash, user id → seq, raised to the max by a script under the same epoch check). An
 * edit, deletion or reaction replaces the message's member at its score, so history reads return
 * the current state.
 */
export class RedisRoomStore implements RoomStore {
  private readonly prefix: string;
  private readonly commands: StoreCommands;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRoomStoreOptions,
  ) {
    if (!Number.isInteger(options.maxMessages) || options.maxMessages < 1) {
      throw new Error(`maxMessages must be a positive integer, got ${options.maxMessages}`);
    }
    const prefix = options.keyPrefix;
    const brace = prefix.indexOf('{');
    if ((brace !== -1 || prefix.includes('}')) && !(brace !== -1 && prefix.indexOf('}', brace + 1) > brace + 1)) {
      // The epoch key must share the history key's hash slot (see epochKey).
      throw new Error(`REDIS_KEY_PREFIX "${prefix}": braces in it must form a Redis hash tag, like "{rooms}:"`);
    }
    this.prefix = prefix === '' || prefix.endsWith(':') ? prefix : `${prefix}:`;
    redis.defineCommand('roomStoreAppend', { numberOfKeys: 4, lua: APPEND });
    redis.defineCommand('roomStoreUpdate', { numberOfKeys: 3, lua: UPDATE });
    redis.defineCommand('roomStoreReads', { numberOfKeys: 3, lua: SAVE_READS });
    redis.defineCommand('roomStoreLoad', { numberOfKeys: 4, lua: LOAD });
    redis.defineCommand('roomStoreFence', { numberOfKeys: 2, lua: FENCE });
    this.commands = redis as unknown as StoreCommands;
  }

  async load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    const key = this.key(roomId);
    const [lastSeq, members, epoch, rev, flatReads] = await this.commands.roomStoreLoad(
      key,
      epochKey(key),
      sideKey(key, 'rev'),
      sideKey(key, 'reads'),
      Math.max(0, Math.floor(limit)),
      claim ?? 0,
    );
    if (claim !== undefined && Number(epoch) > claim) throw new StaleEpochError(roomId, claim, Number(epoch));
    const reads: ReadMarker[] = [];
    for (let i = 0; i + 1 < flatReads.length; i += 2) reads.push({ userId: flatReads[i], seq: Number(flatReads[i + 1]) });
    return { lastSeq: Number(lastSeq), messages: members.map(parse), epoch: Number(epoch), rev: Number(rev), reads };
  }

  async fence(roomId: string): Promise<RoomFence> {
    const key = this.key(roomId);
    const [epoch, lastSeq] = await this.commands.roomStoreFence(key, epochKey(key));
    return { epoch: Number(epoch), lastSeq: Number(lastSeq) };
  }

  async append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    for (let i = 1; i < messages.length; i++) {
      if (messages[i].seq !== messages[i - 1].seq + 1) {
        throw new Error(`append to room ${roomId}: seqs must be consecutive, got ${messages[i - 1].seq} then ${messages[i].seq}`);
      }
    }
    const key = this.key(roomId);
    const args: (string | number)[] = [this.options.maxMessages, this.options.historyTtlMs ?? 0, epoch, newestRev(messages)];
    for (const m of messages) args.push(m.seq, JSON.stringify(m));
    const [outcome, value] = await this.commands.roomStoreAppend(key, epochKey(key), sideKey(key, 'rev'), sideKey(key, 'reads'), ...args);
    if (outcome === 'epoch') throw new StaleEpochError(roomId, epoch, Number(value));
    if (outcome !== 'ok') throw new SeqConflictError(roomId, messages[0].seq);
  }

  async update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    const key = this.key(roomId);
    const args: (string | number)[] = [this.options.historyTtlMs ?? 0, epoch, newestRev(messages)];
    for (const m of messages) args.push(m.seq, JSON.stringify(m));
    const [outcome, value] = await this.commands.roomStoreUpdate(key, epochKey(key), sideKey(key, 'rev'), ...args);
    if (outcome === 'epoch') throw new StaleEpochError(roomId, epoch, Number(value));
  }

  async saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void> {
    if (reads.length === 0) return;
    const key = this.key(roomId);
    const args: (string | number)[] = [this.options.historyTtlMs ?? 0, epoch];
    for (const r of reads) args.push(r.userId, r.seq);
    const [outcome, value] = await this.commands.roomStoreReads(key, epochKey(key), sideKey(key, 'reads'), ...args);
    if (outcome === 'epoch') throw new StaleEpochError(roomId, epoch, Number(value));
  }

  async before(roomId: string, before: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    const members = await this.redis.zrevrangebyscore(this.key(roomId), `(${before}`, '-inf', 'LIMIT', 0, Math.floor(limit));
    return members.reverse().map(parse);
  }

  async after(roomId: string, after: number, limit: number): Promise<MessageV2[]> {
    if (limit <= 0) return [];
    const members = await this.redis.zrevrangebyscore(this.key(roomId), '+inf', `(${after}`, 'LIMIT', 0, Math.floor(limit));
    return members.reverse().map(parse);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /**
   * The keyspace's identity (`<prefix>store-id`), set by the first server that asks: servers on the
   * same Redis and prefix share it. A Redis that lost its data (no persistence, a new instance) gets a
   * new one, and the backend then refuses to serve rooms whose history it held as empty rooms.
   */
  async identity(): Promise<string> {
    const key = `${this.prefix}store-id`;
    await this.redis.set(key, `redis:${randomUUID()}`, 'NX');
    const id = await this.redis.get(key);
    if (!id) throw new Error(`Redis key ${key} vanished while it was read`);
    return id;
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }

  private key(roomId: string): string {
    return `${this.prefix}history:${roomId}`;
  }
}

interface StoreCommands {
  roomStoreAppend(key: string, epochKey: string, revKey: string, readsKey: string, ...args: (string | number)[]): Promise<[string, number]>;
  roomStoreUpdate(key: string, epochKey: string, revKey: string, ...args: (string | number)[]): Promise<[string, number]>;
  roomStoreReads(key: string, epochKey: string, readsKey: string, ...args: (string | number)[]): Promise<[string, number]>;
  roomStoreLoad(
    key: string,
    epochKey: string,
    revKey: string,
    readsKey: string,
    limit: number,
    claim: number,
  ): Promise<[string, string[], string, string, string[]]>;
  roomStoreFence(key: string, epochKey: string): Promise<[string, string]>;
}

/**
 * The key of a room's newest epoch, in the same hash slot as its history key: the history key itself
 * as the hash tag, or, when the history key already has a tag (a prefix like `{rooms}:`), that tag.
 */
export function epochKey(historyKey: string): string {
  return sideKey(historyKey, 'epoch');
}

/** Another key of the room beside its history, in the same hash slot (see `epochKey`). */
export function sideKey(historyKey: string, name: string): string {
  const open = historyKey.indexOf('{');
  const close = open === -1 ? -1 : historyKey.indexOf('}', open + 1);
  if (close > open + 1) return `${historyKey}:${name}`;
  return `{${historyKey}}:${name}`;
}

function parse(member: string): MessageV2 {
  return JSON.parse(member) as MessageV2;
}

// KEYS[1] history, KEYS[2] epoch, KEYS[3] rev, KEYS[4] reads (only its expiry); ARGV: maxMessages, ttlMs (0 = none), epoch, newest rev
// of the batch (0 = none), then seq, json pairs in seq order. Returns {'ok', 0} when stored, {'epoch', newest epoch} when the writer's epoch is older
// than the newest seen, {'seq', stored last seq} when the batch does not continue the history.
const APPEND = `
local epoch = tonumber(ARGV[3])
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
if epoch < newest then return {'epoch', newest} end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = 0
if top[2] then last = tonumber(top[2]) end
if tonumber(ARGV[5]) <= last then return {'seq', last} end
local i = 5
while i <= #ARGV do
  local chunk = {}
  while i <= #ARGV and #chunk < 400 do
    chunk[#chunk + 1] = ARGV[i]
    chunk[#chunk + 1] = ARGV[i + 1]
    i = i + 2
  end
  redis.call('ZADD', KEYS[1], unpack(chunk))
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[1]) + 1))
if epoch > newest then redis.call('SET', KEYS[2], epoch) end
local rev = tonumber(ARGV[4])
if rev > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], rev) end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
return {'ok', 0}
`;

// KEYS[1] history, KEYS[2] epoch, KEYS[3] rev; ARGV: ttlMs (0 = none), epoch, newest rev, then seq,
// json pairs (new states, oldest change first). A seq no longer held (trimmed) is skipped. Returns
// {'ok', 0}, or {'epoch', newest epoch} when the writer's epoch is older than the newest seen.
const UPDATE = `
local epoch = tonumber(ARGV[2])
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
if epoch < newest then return {'epoch', newest} end
local i = 4
while i <= #ARGV do
  if redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i]) > 0 then
    redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  i = i + 2
end
if epoch > newest then redis.call('SET', KEYS[2], epoch) end
local rev = tonumber(ARGV[3])
if rev > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], rev) end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[3], ARGV[1])
end
return {'ok', 0}
`;

// KEYS[1] history, KEYS[2] epoch, KEYS[3] reads; ARGV: ttlMs (0 = none), epoch, then userId, seq pairs.
// Each marker becomes max(stored, given). Returns {'ok', 0} or {'epoch', newest epoch}.
const SAVE_READS = `
local epoch = tonumber(ARGV[2])
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
if epoch < newest then return {'epoch', newest} end
local i = 3
while i <= #ARGV do
  local seq = tonumber(ARGV[i + 1])
  if seq > tonumber(redis.call('HGET', KEYS[3], ARGV[i]) or '0') then redis.call('HSET', KEYS[3], ARGV[i], seq) end
  i = i + 2
end
if epoch > newest then redis.call('SET', KEYS[2], epoch) end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[3], ARGV[1])
end
return {'ok', 0}
`;

// KEYS[1] history, KEYS[2] epoch, KEYS[3] rev, KEYS[4] reads; ARGV: limit, claim (0 = none). Returns
// {lastSeq, newest `limit` members oldest first, newest epoch, rev, read markers as HGETALL gives them}. A claim older than the newest epoch changes nothing (the
// caller sees the newer epoch and refuses); a newer one becomes the newest.
const LOAD = `
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
local claim = tonumber(ARGV[2])
if claim > newest then
  redis.call('SET', KEYS[2], claim)
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
  newest = claim
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = top[2] or '0'
local limit = tonumber(ARGV[1])
local members = {}
if limit > 0 then members = redis.call('ZRANGE', KEYS[1], -limit, -1) end
return {last, members, tostring(newest), redis.call('GET', KEYS[3]) or '0', redis.call('HGETALL', KEYS[4])}
`;

// KEYS[1] history, KEYS[2] epoch. Returns {newest epoch, last seq}.
const FENCE = `
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {redis.call('GET', KEYS[2]) or '0', top[2] or '0'}
`;
