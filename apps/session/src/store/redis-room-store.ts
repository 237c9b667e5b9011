import type { Message } from '@app/shared';
import type Redis from 'ioredis';
import { closeRedisClient } from '@app/redis';
import { RoomSnapshot, RoomStore, SeqConflictError } from './room-store.port';

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
 * `SeqConflictError` and nothing of its batch is stored. Each room is one key, so this also runs on
 * Redis Cluster.
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
    this.prefix = prefix === '' || prefix.endsWith(':') ? prefix : `${prefix}:`;
    redis.defineCommand('roomStoreAppend', { numberOfKeys: 1, lua: APPEND });
    redis.defineCommand('roomStoreLoad', { numberOfKeys: 1, lua: LOAD });
    this.commands = redis as unknown as StoreCommands;
  }

  async load(roomId: string, limit: number): Promise<RoomSnapshot> {
    const [lastSeq, members] = await this.commands.roomStoreLoad(this.key(roomId), Math.max(0, Math.floor(limit)));
    return { lastSeq: Number(lastSeq), messages: members.map(parse) };
  }

  async append(roomId: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    for (let i = 1; i < messages.length; i++) {
      if (messages[i].seq !== messages[i - 1].seq + 1) {
        throw new Error(`append to room ${roomId}: seqs must be consecutive, got ${messages[i - 1].seq} then ${messages[i].seq}`);
      }
    }
    const args: (string | number)[] = [this.options.maxMessages, this.options.historyTtlMs ?? 0];
    for (const m of messages) args.push(m.seq, JSON.stringify(m));
    const lastSeq = await this.commands.roomStoreAppend(this.key(roomId), ...args);
    if (lastSeq !== -1) throw new SeqConflictError(roomId, messages[0].seq);
  }

  async before(roomId: string, before: number, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const members = await this.redis.zrevrangebyscore(this.key(roomId), `(${before}`, '-inf', 'LIMIT', 0, Math.floor(limit));
    return members.reverse().map(parse);
  }

  async after(roomId: string, after: number, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const members = await this.redis.zrevrangebyscore(this.key(roomId), '+inf', `(${after}`, 'LIMIT', 0, Math.floor(limit));
    return members.reverse().map(parse);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }

  private key(roomId: string): string {
    return `${this.prefix}history:${roomId}`;
  }
}

interface StoreCommands {
  roomStoreAppend(key: string, ...args: (string | number)[]): Promise<number>;
  roomStoreLoad(key: string, limit: number): Promise<[string, string[]]>;
}

function parse(member: string): Message {
  return JSON.parse(member) as Message;
}

// KEYS[1] history; ARGV: maxMessages, ttlMs (0 = none), then seq, json pairs in seq order.
// Returns -1 when stored, else the stored last seq (the batch does not continue it).
const APPEND = `
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = 0
if top[2] then last = tonumber(top[2]) end
if tonumber(ARGV[3]) <= last then return last end
local i = 3
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
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return -1
`;

// KEYS[1] history; ARGV: limit. Returns {lastSeq, newest `limit` members oldest first}.
const LOAD = `
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = top[2] or '0'
local limit = tonumber(ARGV[1])
local members = {}
if limit > 0 then members = redis.call('ZRANGE', KEYS[1], -limit, -1) end
return {last, members}
`;
