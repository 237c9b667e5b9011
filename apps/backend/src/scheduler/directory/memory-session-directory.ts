import { DEFAULT_ROOM_KIND, type RoomSummary, type SessionHeartbeat } from '@app/shared';
import { CatalogEntry, MemoryRoomCatalog, RoomCatalog } from './room-catalog';
import { DirectoryTiming, HeartbeatOutcome, isAlive, OpenedRoom, Placement, RoomRecord, ServerRecord, SessionDirectory } from './session-directory.port';

/** What the room's server last reported of it. */
interface RoomReport {
  lastSeq: number;
  online: number;
  lastActivity: number;
  reportedAt: number;
}

interface PlacedRoom {
  serverId: string;
  /** When it was placed or last reported by its server: a room unreported for a TTL is released. */
  seen: number;
}

/**
 * The directory of one backend process (its rooms in a `RoomCatalog`, on disk in the embedded default). JavaScript runs each method to its end before another
 * starts (no await inside), which makes every placement atomic without locks.
 *
 * Epochs: a placement's epoch is max(the room's previous epoch + 1, now in ms). The clock term keeps
 * epochs growing across a restart of this process, which forgets them while the room stores (SQLite
 * on disk) remember the newest epoch each room was served under: a room placed after a restart must
 * not get an epoch its store has already seen. (It assumes the wall clock does not step back by more
 * than the restart took.)
 */
export class MemorySessionDirectory implements SessionDirectory {
  private readonly serversById = new Map<string, Omit<ServerRecord, 'placedRooms'>>();
  private readonly placement = new Map<string, PlacedRoom>();
  private readonly placedCount = new Map<string, number>();
  /** Newest epoch of each room's placement; kept when the room is released, so the next one is newer. */
  private readonly epochs = new Map<string, number>();
  /** Rooms their server last reported full, with the users then connected. */
  private readonly full = new Map<string, string[]>();
  /** Per room, its server's last report (room summaries); goes when the room expires. */
  private readonly reports = new Map<string, RoomReport>();
  /** Per room, the identity of the store that holds its history (kept while the room lives; on disk in its catalog entry). */
  private readonly stores = new Map<string, string>();
  /** Servers an operator drained (sticky while the server is known). */
  private readonly drained = new Set<string>();
  /** Per server, rooms moved away from it that its next heartbeat is told about. */
  private readonly movedAway = new Map<string, Set<string>>();

  constructor(
    private readonly timing: DirectoryTiming,
    private readonly rooms: RoomCatalog = new MemoryRoomCatalog(),
  ) {}

  async heartbeat(hb: SessionHeartbeat, now: number): Promise<HeartbeatOutcome> {
    this.serversById.set(hb.serverId, {
      id: hb.serverId,
      url: hb.url,
      capacity: hb.capacity,
      connections: hb.connections,
      draining: hb.draining,
      lastHeartbeat: now,
      ...(hb.store !== undefined ? { store: hb.store } : {}),
    });
    const drain = this.drained.has(hb.serverId);
    // The server says so itself from now on; a restarted process with this id takes rooms again.
    if (hb.draining) this.drained.delete(hb.serverId);
    const revoked: string[] = [];
    const moved: string[] = [];
    const reported = new Set<string>();
    const notices = this.movedAway.get(hb.serverId);
    this.movedAway.delete(hb.serverId);
    for (const { roomId, epoch, memberIds, membersUnchanged, lastSeq, members, connections, lastActivity } of hb.rooms) {
      reported.add(roomId);
      if (notices?.has(roomId) && this.placement.get(roomId)?.serverId !== hb.serverId) {
        moved.push(roomId);
        continue;
      }
      const placed = this.placement.get(roomId);
      const newest = this.epochs.get(roomId) ?? 0;
      // Held under an older epoch than the newest placement: that copy is fenced off.
      const stale = epoch !== undefined && epoch < newest;
      if (placed?.serverId === hb.serverId) {
        placed.seen = now;
        if (stale) revoked.push(roomId);
      } else if (placed !== undefined && this.isLive(placed.serverId, now)) revoked.push(roomId);
      else if (stale) revoked.push(roomId);
      // Its history is in another store: this server's copy started empty, and must not serve.
      else if (!this.fits(roomId, hb.serverId)) revoked.push(roomId);
      else if (!hb.draining && !drain) this.assign(roomId, hb.serverId, now, epoch);
      if (this.placement.get(roomId)?.serverId === hb.serverId) {
        // Unchanged: the list of an earlier report stands (none known: not full, until the next list).
        if (memberIds) this.full.set(roomId, memberIds);
        else if (!membersUnchanged) this.full.delete(roomId);
        if (lastSeq !== undefined && this.rooms.get(roomId)) {
          this.reports.set(roomId, { lastSeq, online: members ?? connections, lastActivity, reportedAt: now });
        }
      }
    }
    // The server let these rooms go (idle, disposed): their slots are free again.
    for (const [roomId, placed] of this.placement) {
      if (placed.serverId === hb.serverId && !reported.has(roomId) && now - placed.seen > this.timing.heartbeatTtlMs) this.unassign(roomId);
    }
    return { revoked, moved, drain };
  }

  async move(roomId: string, now: number, to?: string): Promise<Placement | null> {
    const owner = this.placement.get(roomId)?.serverId;
    if (to !== undefined && to === owner) return { server: this.record(to), placedNow: false, epoch: this.epochs.get(roomId)! };
    const target = to !== undefined ? this.takerById(to, now, roomId) : this.leastLoaded(now, owner, roomId);
    if (!target) return null;
    const epoch = this.assign(roomId, target.id, now);
    if (owner !== undefined) this.noticeMoved(owner, roomId);
    return { server: this.record(target.id), placedNow: true, epoch };
  }

  async drain(serverId: string, now: number): Promise<string[] | null> {
    if (!this.serversById.has(serverId)) return null;
    this.drained.add(serverId);
    const moved: string[] = [];
    for (const [roomId, placed] of [...this.placement]) {
      if (placed.serverId !== serverId) continue;
      const target = this.leastLoaded(now, serverId, roomId);
      if (target) this.assign(roomId, target.id, now);
      else this.unassign(roomId);
      this.noticeMoved(serverId, roomId);
      moved.push(roomId);
    }
    return moved;
  }

  async roomStore(roomId: string): Promise<string | null> {
    return this.storeOf(roomId) ?? null;
  }

  async removeServer(serverId: string): Promise<void> {
    this.serversById.delete(serverId);
    this.drained.delete(serverId);
    this.movedAway.delete(serverId);
    for (const [roomId, placed] of this.placement) if (placed.serverId === serverId) this.placement.delete(roomId);
    this.placedCount.delete(serverId);
  }

  async servers(): Promise<ServerRecord[]> {
    return [...this.serversById.values()].map((s) => this.record(s.id));
  }

  async placements(): Promise<Map<string, string[]>> {
    const byServer = new Map<string, string[]>();
    for (const [roomId, { serverId }] of this.placement) {
      const list = byServer.get(serverId) ?? [];
      list.push(roomId);
      byServer.set(serverId, list);
    }
    return byServer;
  }

  async createRoom(room: RoomRecord, now: number): Promise<void> {
    const store = this.stores.get(room.roomId);
    this.rooms.create({ record: room, expiresAt: now + this.timing.roomTtlMs, ...(store !== undefined ? { store } : {}) });
  }

  async getRoom(roomId: string, now: number): Promise<RoomRecord | null> {
    return this.liveEntry(roomId, now)?.record ?? null;
  }

  async touchRooms(roomIds: string[], now: number): Promise<void> {
    this.rooms.touch(roomIds, now, now + this.timing.roomTtlMs);
  }

  async place(roomId: string, now: number): Promise<Placement | null> {
    const owner = this.placement.get(roomId)?.serverId;
    // A draining server closed the room's sockets with 1012: its clients come back here to move.
    if (owner !== undefined && this.isLive(owner, now) && !this.isDraining(owner)) {
      return { server: this.record(owner), placedNow: false, epoch: this.epochs.get(roomId)! };
    }
    const target = this.leastLoaded(now, undefined, roomId);
    if (!target) return null;
    const epoch = this.assign(roomId, target.id, now);
    return { server: this.record(target.id), placedNow: true, epoch };
  }

  /**
   * Marks the room active in steps of `touchStepMs`: with the SQLite catalog a touch is a disk write,
   * and a write on every get-or-start call put the catalog's commits and WAL checkpoints in the
   * call's tail (bench at 1,000 calls/s: p99 33–71 ms with, 13–31 ms without). A room is written with
   * `touchStepMs` to spare, so skipping a touch never lets it expire before ROOM_TTL of inactivity;
   * it may live up to `touchStepMs` longer.
   */
  async openRoom(roomId: string, now: number): Promise<OpenedRoom | null> {
    const entry = this.liveEntry(roomId, now);
    if (!entry) return null;
    const ttl = this.timing.roomTtlMs;
    if (entry.expiresAt - now < ttl) this.rooms.touch([roomId], now, now + ttl + touchStepMs(ttl));
    const placement = await this.place(roomId, now);
    const fullWith = placement && !placement.placedNow ? this.full.get(roomId) : undefined;
    return fullWith ? { room: entry.record, placement, fullWith } : { room: entry.record, placement };
  }

  async roomSummaries(roomIds: string[], now: number): Promise<RoomSummary[]> {
    const out: RoomSummary[] = [];
    for (const roomId of roomIds) {
      const entry = this.liveEntry(roomId, now);
      if (!entry) continue;
      const report = this.reports.get(roomId);
      const fresh = report !== undefined && now - report.reportedAt <= this.timing.heartbeatTtlMs;
      out.push({
        roomId,
        name: entry.record.name ?? null,
        kind: entry.record.kind ?? DEFAULT_ROOM_KIND,
        lastSeq: report?.lastSeq ?? 0,
        online: fresh ? report.online : 0,
        lastActivityAt: Math.max(report?.lastActivity ?? 0, entry.record.createdAt),
      });
    }
    return out;
  }

  /** The room's catalog entry unless it expired (an expired room is forgotten, and its slot freed). */
  private liveEntry(roomId: string, now: number): CatalogEntry | undefined {
    const stored = this.rooms.get(roomId);
    if (!stored) return undefined;
    if (stored.expiresAt <= now) {
      this.rooms.delete(roomId);
      this.unassign(roomId);
      this.epochs.delete(roomId);
      this.stores.delete(roomId);
      this.reports.delete(roomId);
      return undefined;
    }
    return stored;
  }

  async close(): Promise<void> {
    this.rooms.close();
  }

  /** The least loaded live, non-draining server with a free slot (other than `except`), and with `roomId`'s store. */
  private leastLoaded(now: number, except?: string, roomId?: string): ServerRecord | undefined {
    let best: ServerRecord | undefined;
    let bestLoad = Infinity;
    const bound = roomId === undefined ? undefined : this.storeOf(roomId);
    for (const s of this.serversById.values()) {
      if (s.id === except || this.isDraining(s.id) || !isAlive(s, now, this.timing.heartbeatTtlMs)) continue;
      if (bound !== undefined && s.store !== undefined && s.store !== bound) continue;
      const placed = this.placedCount.get(s.id) ?? 0;
      if (placed >= s.capacity) continue;
      const load = placed / s.capacity;
      if (!best || load < bestLoad || (load === bestLoad && (s.connections < best.connections || (s.connections === best.connections && s.id < best.id)))) {
        best = { ...s, placedRooms: placed };
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * The server `id` when it may take the room now: live, not draining, with the room's store (an
   * operator's choice may exceed its capacity).
   */
  private takerById(id: string, now: number, roomId: string): ServerRecord | undefined {
    return this.isLive(id, now) && !this.isDraining(id) && this.fits(roomId, id) ? this.record(id) : undefined;
  }

  /** The store that holds the room's history, if known (read once from the catalog after a restart). */
  private storeOf(roomId: string): string | undefined {
    let store = this.stores.get(roomId);
    if (store === undefined) {
      store = this.rooms.get(roomId)?.store;
      if (store !== undefined) this.stores.set(roomId, store);
    }
    return store;
  }

  /** Whether the server may hold the room: its store holds the room's history (or either is unknown). */
  private fits(roomId: string, serverId: string): boolean {
    const bound = this.storeOf(roomId);
    const store = this.serversById.get(serverId)?.store;
    return bound === undefined || store === undefined || store === bound;
  }

  private isDraining(serverId: string): boolean {
    return this.drained.has(serverId) || this.serversById.get(serverId)?.draining === true;
  }

  private noticeMoved(serverId: string, roomId: string): void {
    let rooms = this.movedAway.get(serverId);
    if (!rooms) this.movedAway.set(serverId, (rooms = new Set()));
    rooms.add(roomId);
  }

  private isLive(serverId: string, now: number): boolean {
    const s = this.serversById.get(serverId);
    return s !== undefined && isAlive(s, now, this.timing.heartbeatTtlMs);
  }

  private record(serverId: string): ServerRecord {
    const s = this.serversById.get(serverId)!;
    return { ...s, draining: s.draining || this.drained.has(serverId), placedRooms: this.placedCount.get(serverId) ?? 0 };
  }

  /** Places the room on the server under `epoch` (a server re-adopting what it holds), else under a new one. */
  private assign(roomId: string, serverId: string, now: number, epoch?: number): number {
    this.unassign(roomId);
    this.placement.set(roomId, { serverId, seen: now });
    this.placedCount.set(serverId, (this.placedCount.get(serverId) ?? 0) + 1);
    const store = this.serversById.get(serverId)?.store;
    if (store !== undefined && this.storeOf(roomId) === undefined) {
      this.stores.set(roomId, store);
      this.rooms.bindStore(roomId, store);
    }
    const next = epoch ?? Math.max((this.epochs.get(roomId) ?? 0) + 1, Math.floor(now));
    this.epochs.set(roomId, next);
    return next;
  }

  private unassign(roomId: string): void {
    this.full.delete(roomId);
    const previous = this.placement.get(roomId)?.serverId;
    if (previous === undefined) return;
    this.placement.delete(roomId);
    const n = (this.placedCount.get(previous) ?? 1) - 1;
    if (n > 0) this.placedCount.set(previous, n);
    else this.placedCount.delete(previous);
  }
}

/** How far a get-or-start may find a room's expiry behind before it is written again: 1 % of the TTL, at most a minute. */
export function touchStepMs(roomTtlMs: number): number {
  return Math.min(Math.floor(roomTtlMs / 100), 60_000);
}
