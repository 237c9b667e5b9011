import { DEFAULT_ROOM_KIND, isRoomKindName, type RoomSummary, type SessionHeartbeat } from '@app/shared';
import { ServiceUnavailableException } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedisClient, normalizeKeyPrefix } from '@app/redis';
import { DirectoryTiming, HeartbeatOutcome, OpenedRoom, Placement, RoomRecord, ServerRecord, SessionDirectory } from './session-directory.port';

/**
 * The directory in Redis, shared by any number of backend replicas. Every decision that reads and
 * then writes (place, heartbeat, remove, room expiry) is one Lua script, so it is atomic across
 * replicas: two replicas racing to place one room get the same server.
 *
 * Keys, all under the prefix:
 *   servers                 ZSET  server id → last heartbeat (live ones are a score range)
 *   server:<id>             HASH  url, capacity, connections, draining, lastHeartbeat, store; drained = '1'
 *                                 once an operator drained it, until its heartbeats say draining
 *   moved:<id>              SET   rooms moved away from the server (drain, operator's move) that its
 *                                 next heartbeat is told about
 *   server-rooms:<id>       ZSET  room id → when it was placed on, or last reported by, the server;
 *                                 its cardinality is the server's placedRooms
 *   placement               HASH  room id → server id
 *   full                    HASH  room id → JSON list of the users connected, for rooms their server
 *                                 last reported full (cleared by any other report and any placement)
 *   epochs                  HASH  room id → epoch of its newest placement (HINCRBY with every
 *                                 placement, in the script that places; kept when the room is
 *                                 released, so the next placement is newer; gone when the room expires)
 *   stores                  HASH  room id → identity of the room store that holds its history (the
 *                                 store of the first server it was placed on; gone when the room
 *                                 expires): only servers with that store may hold the room
 *   room:<roomId>           HASH  the RoomRecord plus lastActive; PEXPIRE roomTtlMs as garbage collection;
 *                                 and what its server last reported: lastSeq, online, activityAt,
 *                                 reportedAt (room summaries)
 *
 * Time is the caller's `now`, never Redis TIME, so every replica (and every test) decides with the
 * same clock it passes in. Dead servers are cleaned lazily: `place` moves a room off a dead or
 * draining server when the room is asked for, and each heartbeat sweeps servers dead for
 * `SWEEP_AFTER_TTLS` TTLs. A placement the server has not reported for a whole TTL (the room was
 * disposed, or its client never came) is released by that server's next heartbeat, so placedRooms
 * counts rooms really held instead of growing forever.
 *
 * All keys of one directory are computed inside the scripts from the prefix, so this needs a single
 * Redis (or a primary with replicas/Sentinel), not Redis Cluster.
 */
export class RedisSessionDirectory implements SessionDirectory {
  private readonly prefix: string;
  private readonly commands: DirectoryCommands;

  constructor(
    private readonly redis: Redis,
    private readonly timing: DirectoryTiming,
    keyPrefix: string,
  ) {
    this.prefix = normalizeKeyPrefix(keyPrefix);
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: 0, lua: DIRECTORY_LUA + lua });
    }
    this.commands = redis as unknown as DirectoryCommands;
  }

  async heartbeat(hb: SessionHeartbeat, now: number): Promise<HeartbeatOutcome> {
    return this.guard(async () => {
      const ttl = this.timing.heartbeatTtlMs;
      const [revoked, moved, drain] = await this.commands.directoryHeartbeat(
        this.prefix,
        hb.serverId,
        hb.url,
        hb.capacity,
        hb.connections,
        hb.draining ? '1' : '0',
        now,
        now - ttl,
        now - ttl,
        now - SWEEP_AFTER_TTLS * ttl,
        hb.store ?? '',
        ...hb.rooms.flatMap((room) => [
          room.roomId,
          room.epoch ?? 0,
          room.memberIds ? JSON.stringify(room.memberIds) : room.membersUnchanged ? '=' : '',
          room.lastSeq ?? -1,
          room.members ?? room.connections,
          room.lastActivity,
        ]),
      );
      return { revoked, moved, drain: drain === 1 };
    });
  }

  async move(roomId: string, now: number, to?: string): Promise<Placement | null> {
    return this.guard(async () => {
      const row = await this.commands.directoryMove(this.prefix, roomId, now, now - this.timing.heartbeatTtlMs, to ?? '');
      return row ? toPlacement(row) : null;
    });
  }

  async drain(serverId: string, now: number): Promise<string[] | null> {
    return this.guard(async () => {
      const moved = await this.commands.directoryDrain(this.prefix, serverId, now, now - this.timing.heartbeatTtlMs);
      return moved === 0 ? null : moved;
    });
  }

  async roomStore(roomId: string): Promise<string | null> {
    return this.guard(async () => this.redis.hget(`${this.prefix}stores`, roomId));
  }

  async removeServer(serverId: string): Promise<void> {
    return this.guard(async () => {
      await this.commands.directoryRemoveServer(this.prefix, serverId);
    });
  }

  async servers(_now: number): Promise<ServerRecord[]> {
    return this.guard(async () => {
      const rows = await this.commands.directoryServers(this.prefix);
      return rows.map(toServer);
    });
  }

  async placements(): Promise<Map<string, string[]>> {
    return this.guard(async () => {
      const all = await this.redis.hgetall(`${this.prefix}placement`);
      const byServer = new Map<string, string[]>();
      for (const [roomId, serverId] of Object.entries(all)) {
        const rooms = byServer.get(serverId);
        if (rooms) rooms.push(roomId);
        else byServer.set(serverId, [roomId]);
      }
      return byServer;
    });
  }

  async createRoom(room: RoomRecord, now: number): Promise<void> {
    return this.guard(async () => {
      const key = this.roomKey(room.roomId);
      const fields: Record<string, string | number> = {
        roomId: room.roomId,
        createdAt: room.createdAt,
        createdBy: room.createdBy,
        lastActive: now,
      };
      if (room.name !== undefined) fields.name = room.name;
      if (room.kind !== undefined) fields.kind = room.kind;
      await this.redis.multi().del(key).hset(key, fields).pexpire(key, this.timing.roomTtlMs).exec().then(failOnError);
    });
  }

  async getRoom(roomId: string, now: number): Promise<RoomRecord | null> {
    return this.guard(async () => {
      const flat = await this.commands.directoryGetRoom(this.prefix, roomId, now, this.timing.roomTtlMs);
      return flat ? toRoom(flat) : null;
    });
  }

  async roomSummaries(roomIds: string[], now: number): Promise<RoomSummary[]> {
    return this.guard(async () => {
      if (roomIds.length === 0) return [];
      const rows = await this.commands.directoryRoomSummaries(this.prefix, now, this.timing.roomTtlMs, ...roomIds);
      const out: RoomSummary[] = [];
      for (const flat of rows) {
        if (!Array.isArray(flat)) continue;
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
        const fresh = fields.reportedAt !== undefined && now - Number(fields.reportedAt) <= this.timing.heartbeatTtlMs;
        out.push({
          roomId: fields.roomId,
          name: fields.name ?? null,
          kind: isRoomKindName(fields.kind) ? fields.kind : DEFAULT_ROOM_KIND,
          lastSeq: Number(fields.lastSeq ?? 0),
          online: fresh ? Number(fields.online ?? 0) : 0,
          lastActivityAt: Math.max(Number(fields.activityAt ?? 0), Number(fields.createdAt)),
        });
      }
      return out;
    });
  }

  async touchRooms(roomIds: string[], now: number): Promise<void> {
    return this.guard(async () => {
      if (roomIds.length === 0) return;
      await this.commands.directoryTouchRooms(this.prefix, now, this.timing.roomTtlMs, ...roomIds);
    });
  }

  async place(roomId: string, now: number): Promise<Placement | null> {
    return this.guard(async () => {
      const row = await this.commands.directoryPlace(this.prefix, roomId, now, now - this.timing.heartbeatTtlMs);
      return row ? toPlacement(row) : null;
    });
  }

  async openRoom(roomId: string, now: number): Promise<OpenedRoom | null> {
    return this.guard(async () => {
      const reply = await this.commands.directoryOpenRoom(this.prefix, roomId, now, this.timing.roomTtlMs, now - this.timing.heartbeatTtlMs);
      return reply ? toOpenedRoom(reply) : null;
    });
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw new DirectoryUnavailableError(err);
    }
  }

  private roomKey(roomId: string): string {
    return `${this.prefix}room:${roomId}`;
  }
}

/**
 * Redis failed (unreachable, timed out, loading, read-only after a failover...). It is a Nest
 * ServiceUnavailableException so that wherever it surfaces (room API, heartbeat endpoint) the answer
 * is a 503 the caller may retry, without the Redis details; the cause is kept for logs.
 */
export class DirectoryUnavailableError extends ServiceUnavailableException {
  constructor(cause: unknown) {
    super('session directory unavailable; try again shortly', { cause });
    this.name = 'DirectoryUnavailableError';
  }
}

/** Dead servers stay listed (for the cluster view) this many heartbeat TTLs, then are forgotten. */
export const SWEEP_AFTER_TTLS = 10;

type Arg = string | number;
type ServerRow = string[];

interface DirectoryCommands {
  directoryHeartbeat(...args: Arg[]): Promise<[string[], string[], number]>;
  directoryMove(...args: Arg[]): Promise<ServerRow | null>;
  directoryDrain(...args: Arg[]): Promise<string[] | 0>;
  directoryRemoveServer(...args: Arg[]): Promise<void>;
  directoryServers(...args: Arg[]): Promise<ServerRow[]>;
  directoryPlace(...args: Arg[]): Promise<ServerRow | null>;
  directoryGetRoom(...args: Arg[]): Promise<string[] | null>;
  directoryTouchRooms(...args: Arg[]): Promise<void>;
  directoryRoomSummaries(...args: Arg[]): Promise<Array<string[] | number>>;
  directoryOpenRoom(...args: Arg[]): Promise<OpenRoomReply | null>;
}

/** What the Lua `openRoom` returns for a live room: its fields, the placement row or null, the full list or null. */
export type OpenRoomReply = [string[], ServerRow | null, string | null];

export function toOpenedRoom([room, row, full]: OpenRoomReply): OpenedRoom {
  const opened: OpenedRoom = { room: toRoom(room), placement: row ? toPlacement(row) : null };
  if (full) opened.fullWith = JSON.parse(full) as string[];
  return opened;
}

function toServer([id, url, capacity, placedRooms, connections, draining, lastHeartbeat, store]: ServerRow): ServerRecord {
  const server: ServerRecord = {
    id,
    url,
    capacity: Number(capacity),
    placedRooms: Number(placedRooms),
    connections: Number(connections),
    draining: draining === '1',
    lastHeartbeat: Number(lastHeartbeat),
  };
  if (store) server.store = store;
  return server;
}

/** A room hash as HGETALL returns it: [field, value, field, value, ...]. */
function toRoom(flat: string[]): RoomRecord {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  const room: RoomRecord = { roomId: fields.roomId, createdAt: Number(fields.createdAt), createdBy: fields.createdBy };
  if (fields.name !== undefined) room.name = fields.name;
  if (isRoomKindName(fields.kind)) room.kind = fields.kind;
  return room;
}

/** A placement row: the '1' (placed now) or '0' flag, the epoch, then the server row. */
function toPlacement([placedNow, epoch, ...server]: ServerRow): Placement {
  return { server: toServer(server), placedNow: placedNow === '1', epoch: Number(epoch) };
}

function failOnError(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
  if (!results) throw new Error('redis transaction aborted');
}

/**
 * The directory's Lua functions, which every directory script starts with; exported for scripts of
 * other adapters that decide in the same round trip as a placement (the get-or-start script). ARGV[1]
 * is always the key prefix. A row is {id, url, capacity, placedRooms, connections, draining,
 * lastHeartbeat}.
 */
export const DIRECTORY_LUA = `
local prefix = ARGV[1]
local placementKey = prefix .. 'placement'
local epochsKey = prefix .. 'epochs'
local fullKey = prefix .. 'full'
local serversKey = prefix .. 'servers'
local storesKey = prefix .. 'stores'
local function serverKey(id) return prefix .. 'server:' .. id end
local function roomsKey(id) return prefix .. 'server-rooms:' .. id end
local function movedKey(id) return prefix .. 'moved:' .. id end
-- A server that may keep a room: known, heartbeat not older than the TTL, not draining.
local function canOwn(id, minBeat)
  local h = redis.call('HMGET', serverKey(id), 'lastHeartbeat', 'draining', 'drained')
  return h[1] ~= false and tonumber(h[1]) >= minBeat and h[2] ~= '1' and h[3] ~= '1'
end
local function row(id, flag, epoch)
  local h = redis.call('HMGET', serverKey(id), 'url', 'capacity', 'connections', 'draining', 'lastHeartbeat', 'drained', 'store')
  local draining = h[4]
  if h[6] == '1' then draining = '1' end
  local r = {id, h[1], h[2], tostring(redis.call('ZCARD', roomsKey(id))), h[3], draining, h[5], h[7] or ''}
  if flag then
    table.insert(r, 1, tostring(epoch))
    table.insert(r, 1, flag)
  end
  return r
end
local function epochOf(roomId)
  return tonumber(redis.call('HGET', epochsKey, roomId) or '0')
end
-- Whether the server may hold the room: its store holds the room's history (or either is unknown).
local function fits(roomId, id)
  local bound = redis.call('HGET', storesKey, roomId)
  if not bound then return true end
  local store = redis.call('HGET', serverKey(id), 'store')
  return not store or store == bound
end
-- Places the room on the server under a new epoch, or under \`epoch\` (a server re-adopting a room it
-- holds); returns the placement's epoch.
local function assign(roomId, id, score, epoch)
  redis.call('HDEL', fullKey, roomId)
  redis.call('HSET', placementKey, roomId, id)
  redis.call('ZADD', roomsKey(id), score, roomId)
  local store = redis.call('HGET', serverKey(id), 'store')
  if store then redis.call('HSETNX', storesKey, roomId, store) end
  if epoch then
    redis.call('HSET', epochsKey, roomId, epoch)
    return epoch
  end
  return redis.call('HINCRBY', epochsKey, roomId, 1)
end
local function forget(id)
  local rk = roomsKey(id)
  for _, roomId in ipairs(redis.call('ZRANGE', rk, 0, -1)) do
    if redis.call('HGET', placementKey, roomId) == id then redis.call('HDEL', placementKey, roomId) end
  end
  redis.call('DEL', rk, serverKey(id), movedKey(id))
  redis.call('ZREM', serversKey, id)
end
-- Least loaded live, non-draining server with a free slot, other than \`except\`, and with the store
-- of \`roomId\` when it has one: placed/capacity compared by cross multiplication (exact), then fewer
-- connections, then the smaller id.
local function leastLoaded(minBeat, except, roomId)
  local best, bestPlaced, bestCap, bestConn
  local bound = roomId and redis.call('HGET', storesKey, roomId)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', serversKey, minBeat, '+inf')) do
    local h = redis.call('HMGET', serverKey(id), 'capacity', 'connections', 'draining', 'drained', 'store')
    if h[1] and h[3] ~= '1' and h[4] ~= '1' and id ~= except and (not bound or not h[5] or h[5] == bound) then
      local cap = tonumber(h[1])
      local placed = redis.call('ZCARD', roomsKey(id))
      if placed < cap then
        local conn = tonumber(h[2]) or 0
        local better = not best
        if best then
          local mine, theirs = placed * bestCap, bestPlaced * cap
          better = mine < theirs or (mine == theirs and (conn < bestConn or (conn == bestConn and id < best)))
        end
        if better then best, bestPlaced, bestCap, bestConn = id, placed, cap, conn end
      end
    end
  end
  return best
end
local function unplace(roomId, owner)
  redis.call('HDEL', placementKey, roomId)
  redis.call('ZREM', roomsKey(owner), roomId)
end
-- Get-or-place (SessionDirectory.place): the row with a leading '1' when placed now, '0' when it
-- already was; nil when no server can take the room.
local function place(roomId, now, minBeat)
  local owner = redis.call('HGET', placementKey, roomId)
  if owner then
    if canOwn(owner, minBeat) then return row(owner, '0', epochOf(roomId)) end
    unplace(roomId, owner)
  end
  local best = leastLoaded(minBeat, nil, roomId)
  if not best then return nil end
  local epoch = assign(roomId, best, now)
  return row(best, '1', epoch)
end
-- The room's fields (HGETALL), or nil when unknown or expired (now - lastActive >= ttl); an expired
-- room and its placement go.
local function liveRoom(roomId, now, ttl)
  local key = prefix .. 'room:' .. roomId
  local lastActive = redis.call('HGET', key, 'lastActive')
  if not lastActive then return nil end
  if now - tonumber(lastActive) >= ttl then
    redis.call('DEL', key)
    redis.call('HDEL', epochsKey, roomId)
    redis.call('HDEL', storesKey, roomId)
    redis.call('HDEL', fullKey, roomId)
    local owner = redis.call('HGET', placementKey, roomId)
    if owner then
      redis.call('HDEL', placementKey, roomId)
      redis.call('ZREM', roomsKey(owner), roomId)
    end
    return nil
  end
  return redis.call('HGETALL', key)
end
-- Marks a live room active at now (a string, as stored) and pushes back its expiry; an expired room
-- is not revived.
local function touch(roomId, now, ttl)
  local key = prefix .. 'room:' .. roomId
  local lastActive = redis.call('HGET', key, 'lastActive')
  if lastActive and tonumber(now) - tonumber(lastActive) < tonumber(ttl) then
    if tonumber(now) > tonumber(lastActive) then redis.call('HSET', key, 'lastActive', now) end
    redis.call('PEXPIRE', key, ttl)
  end
end
-- Get-or-start (SessionDirectory.openRoom): nil when the room is unknown or expired, else {room
-- fields, placement row or false, the full list or false}, the room marked active.
local function openRoom(roomId, now, ttl, minBeat)
  local room = liveRoom(roomId, tonumber(now), tonumber(ttl))
  if not room then return nil end
  touch(roomId, now, ttl)
  local placed = place(roomId, now, minBeat)
  local full = false
  if placed and placed[1] == '0' then full = redis.call('HGET', fullKey, roomId) end
  return {room, placed or false, full}
end
`;

const SCRIPTS: Record<keyof DirectoryCommands, string> = {
  // ARGV: prefix, roomId, now, minBeat (now - heartbeat TTL)
  directoryPlace: `
return place(ARGV[2], ARGV[3], tonumber(ARGV[4]))
`,
  // ARGV: prefix, id, url, capacity, connections, draining, now, minBeat, releaseBefore, sweepBefore,
  // store ('' when the server does not say), then per room: roomId, epoch (0: the server did not say), memberIds JSON ('' unless the room is
  // full; '=' when it is full with the members of an earlier report), lastSeq (-1: the server did
  // not say), online, lastActivity.
  directoryHeartbeat: `
local id, now, minBeat = ARGV[2], ARGV[7], tonumber(ARGV[8])
redis.call('HSET', serverKey(id), 'url', ARGV[3], 'capacity', ARGV[4], 'connections', ARGV[5], 'draining', ARGV[6], 'lastHeartbeat', now)
redis.call('ZADD', serversKey, now, id)
if ARGV[11] ~= '' then redis.call('HSET', serverKey(id), 'store', ARGV[11]) else redis.call('HDEL', serverKey(id), 'store') end
local drained = redis.call('HGET', serverKey(id), 'drained') == '1'
-- The server says so itself from now on; a restarted process with this id takes rooms again.
if ARGV[6] == '1' then redis.call('HDEL', serverKey(id), 'drained') end
local draining = ARGV[6] == '1' or drained
local notices = {}
for _, roomId in ipairs(redis.call('SMEMBERS', movedKey(id))) do notices[roomId] = true end
redis.call('DEL', movedKey(id))
local revoked, moved = {}, {}
for i = 12, #ARGV, 6 do
  local roomId = ARGV[i]
  local reported = tonumber(ARGV[i + 1])
  local full = ARGV[i + 2]
  -- Held under an older epoch than the newest placement: that copy is fenced off.
  local stale = reported > 0 and reported < epochOf(roomId)
  local owner = redis.call('HGET', placementKey, roomId)
  if notices[roomId] and owner ~= id then
    moved[#moved + 1] = roomId
  elseif owner == id then
    redis.call('ZADD', roomsKey(id), now, roomId)
    if stale then revoked[#revoked + 1] = roomId end
  elseif owner and canOwn(owner, minBeat) then
    revoked[#revoked + 1] = roomId
  elseif stale then
    revoked[#revoked + 1] = roomId
  elseif not fits(roomId, id) then
    -- Its history is in another store: this server's copy started empty, and must not serve.
    revoked[#revoked + 1] = roomId
  elseif not draining then
    -- Unplaced, or its owner is dead or draining: the server holding it takes it (again), under
    -- the epoch it holds it under.
    if owner then redis.call('ZREM', roomsKey(owner), roomId) end
    if reported > 0 then assign(roomId, id, now, reported) else assign(roomId, id, now) end
  end
  if redis.call('HGET', placementKey, roomId) == id then
    if full == '' then redis.call('HDEL', fullKey, roomId) elseif full ~= '=' then redis.call('HSET', fullKey, roomId, full) end
    -- Only into a room that exists: a report never creates a room hash (it would have no expiry).
    local rk = prefix .. 'room:' .. roomId
    if tonumber(ARGV[i + 3]) >= 0 and redis.call('EXISTS', rk) == 1 then
      redis.call('HSET', rk, 'lastSeq', ARGV[i + 3], 'online', ARGV[i + 4], 'activityAt', ARGV[i + 5], 'reportedAt', now)
    end
  end
end
-- Placements this server has not reported for a whole TTL: the room is gone from it.
for _, roomId in ipairs(redis.call('ZRANGEBYSCORE', roomsKey(id), '-inf', '(' .. ARGV[9])) do
  if redis.call('HGET', placementKey, roomId) == id then redis.call('HDEL', placementKey, roomId) end
  redis.call('ZREM', roomsKey(id), roomId)
end
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', serversKey, '-inf', '(' .. ARGV[10])) do
  forget(dead)
end
if drained then return {revoked, moved, 1} end
return {revoked, moved, 0}
`,
  // ARGV: prefix, roomId, now, minBeat, to ('' for the least loaded other than the owner). The placement
  // row, or nil when no server can take the room.
  directoryMove: `
local roomId, now, minBeat, to = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local owner = redis.call('HGET', placementKey, roomId)
if to ~= '' and to == owner then return row(owner, '0', epochOf(roomId)) end
local target
if to ~= '' then
  if canOwn(to, minBeat) and fits(roomId, to) then target = to end
else
  target = leastLoaded(minBeat, owner or nil, roomId)
end
if not target then return nil end
if owner then
  unplace(roomId, owner)
  redis.call('SADD', movedKey(owner), roomId)
end
local epoch = assign(roomId, target, now)
return row(target, '1', epoch)
`,
  // ARGV: prefix, serverId, now, minBeat. The rooms moved away (each placed elsewhere, or unplaced
  // when no server can take it), or 0 for an unknown server.
  directoryDrain: `
local id, now, minBeat = ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('EXISTS', serverKey(id)) == 0 then return 0 end
redis.call('HSET', serverKey(id), 'drained', '1')
local moved = {}
for _, roomId in ipairs(redis.call('ZRANGE', roomsKey(id), 0, -1)) do
  redis.call('ZREM', roomsKey(id), roomId)
  if redis.call('HGET', placementKey, roomId) == id then
    redis.call('HDEL', placementKey, roomId)
    local target = leastLoaded(minBeat, id, roomId)
    if target then assign(roomId, target, now) end
    redis.call('SADD', movedKey(id), roomId)
    moved[#moved + 1] = roomId
  end
end
return moved
`,
  // ARGV: prefix, id
  directoryRemoveServer: `
forget(ARGV[2])
return 1
`,
  // ARGV: prefix
  directoryServers: `
local rows = {}
for _, id in ipairs(redis.call('ZRANGE', serversKey, 0, -1)) do rows[#rows + 1] = row(id) end
return rows
`,
  // ARGV: prefix, roomId, now, roomTtlMs. Expired: now - lastActive >= ttl; then the room and its placement go.
  directoryGetRoom: `
return liveRoom(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
`,
  // ARGV: prefix, now, roomTtlMs, roomIds... Per id, in order: the room's fields (HGETALL) or 0 when
  // unknown or expired. Marks nothing active.
  directoryRoomSummaries: `
local out = {}
for i = 4, #ARGV do
  out[#out + 1] = liveRoom(ARGV[i], tonumber(ARGV[2]), tonumber(ARGV[3])) or 0
end
return out
`,
  // ARGV: prefix, now, roomTtlMs, roomIds...  An expired room is not revived.
  directoryTouchRooms: `
for i = 4, #ARGV do touch(ARGV[i], ARGV[2], ARGV[3]) end
return 1
`,
  // ARGV: prefix, roomId, now, roomTtlMs, minBeat. The session call in one round trip.
  directoryOpenRoom: `
return openRoom(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))
`,
};
