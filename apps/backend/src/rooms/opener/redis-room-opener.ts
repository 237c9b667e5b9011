import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { closeRedisClient, normalizeKeyPrefix } from '@app/redis';
import { QUOTA_TAKE_LUA, quotaKey } from '../../quotas/redis-quota-counter';
import { DIRECTORY_LUA, DirectoryUnavailableError, type OpenRoomReply, toOpenedRoom } from '../../scheduler/directory/redis-session-directory';
import type { DirectoryTiming } from '../../scheduler/directory/session-directory.port';
import { REMEMBER_ROOM_LUA, userRoomsKey } from '../../user-rooms/redis-user-rooms';
import { USER_ROOMS_MAX } from '../../user-rooms/user-rooms.port';
import type { OpeningOutcome, RoomOpener, RoomOpening } from './room-opener.port';

// ARGV: prefix, roomId, now, roomTtlMs, minBeat (now - heartbeat TTL), quota key, quota windowMs,
// quota limit, quota member (unique), user-rooms key, user-rooms max, user-rooms ttlMs.
// The quota's wait in ms (> 0: refused, nothing else done), nil for an unknown or expired room, or
// the directory's openRoom reply, the room then recorded for the user.
const OPEN = `
local roomId, now = ARGV[2], ARGV[3]
local wait = quotaTake(ARGV[6], tonumber(now), tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9])
if wait > 0 then return wait end
local opened = openRoom(roomId, now, ARGV[4], tonumber(ARGV[5]))
if opened then rememberRoom(ARGV[10], roomId, now, tonumber(ARGV[11]), ARGV[12]) end
return opened
`;

interface OpenerCommands {
  roomOpenerOpen(...args: Array<string | number>): Promise<number | OpenRoomReply | null>;
}

/**
 * The get-or-start step in one script, so one round trip: the user's quota (the keys of
 * RedisQuotaCounter), the directory's openRoom (placement and its fencing epoch, as
 * RedisSessionDirectory places), and the user's room list (the keys of RedisUserRooms). All three
 * are atomic together: a call refused by the quota places nothing and records nothing.
 *
 * Like the directory's scripts, it computes keys that are not declared to Redis (the directory's
 * inside the script, the user's here), so it needs one Redis (or a primary with replicas), not Redis
 * Cluster: the same assumption as RedisSessionDirectory.
 */
export class RedisRoomOpener implements RoomOpener {
  private readonly prefix: string;
  /** Makes quota members unique across backend replicas; `seq` within this one. */
  private readonly instance = randomBytes(6).toString('base64url');
  private seq = 0;

  constructor(
    private readonly redis: Redis,
    private readonly timing: DirectoryTiming,
    keyPrefix: string,
    private readonly userRoomsTtlMs: number,
  ) {
    this.prefix = normalizeKeyPrefix(keyPrefix);
    redis.defineCommand('roomOpenerOpen', { numberOfKeys: 0, lua: DIRECTORY_LUA + QUOTA_TAKE_LUA + REMEMBER_ROOM_LUA + OPEN });
  }

  async open({ userId, roomId, now, quota }: RoomOpening): Promise<OpeningOutcome> {
    let reply: number | OpenRoomReply | null;
    try {
      reply = await (this.redis as unknown as OpenerCommands).roomOpenerOpen(
        this.prefix,
        roomId,
        now,
        this.timing.roomTtlMs,
        now - this.timing.heartbeatTtlMs,
        quotaKey(this.prefix, quota.key),
        quota.windowMs,
        quota.limit,
        `${now}:${this.instance}:${++this.seq}`,
        userRoomsKey(this.prefix, userId),
        USER_ROOMS_MAX,
        this.userRoomsTtlMs,
      );
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
    if (typeof reply === 'number') return { refused: true, retryAfterMs: reply };
    return { refused: false, opened: reply ? toOpenedRoom(reply) : null };
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
