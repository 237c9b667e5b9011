import type { RoomKindName, RoomSummary, SessionHeartbeat } from '@app/shared';

export const SESSION_DIRECTORY = Symbol('SESSION_DIRECTORY');

/** A session server as the directory knows it. */
export interface ServerRecord {
  id: string;
  url: string;
  capacity: number;
  /** Rooms the directory has placed on this server. */
  placedRooms: number;
  connections: number;
  draining: boolean;
  lastHeartbeat: number;
  /** Identity of the server's room store (heartbeat `store`); absent from servers that do not say. */
  store?: string;
}

/** A room the backend created. It expires `ttlMs` after its last activity. */
export interface RoomRecord {
  roomId: string;
  name?: string;
  /** What the room holds (version 3); absent for rooms created before, which are chat rooms. */
  kind?: RoomKindName;
  createdAt: number;
  createdBy: string;
}

/** Where a room lives now. */
export interface Placement {
  server: ServerRecord;
  /** True when this call placed the room (it was unplaced or its server was dead). */
  placedNow: boolean;
  /**
   * The placement's fencing token: it grows with every placement of the room (atomically with it),
   * and stays while the room stays where it is. The session server serves the room under it.
   */
  epoch: number;
}

/** What `openRoom` finds: the room, and where it lives (null when no server can take it). */
export interface OpenedRoom {
  room: RoomRecord;
  placement: Placement | null;
  /**
   * When the room's server last reported it full (its heartbeat listed `memberIds`), the users then
   * connected: anyone else is refused before a socket opens. Absent when the room was not full, or
   * was placed by this call.
   */
  fullWith?: string[];
}

/**
 * Where state lives: the live session servers and the room → server placement.
 * Every method is atomic on its own; in particular two callers racing `place` for the same room,
 * in one process or across backend replicas, get the same server.
 */
export interface SessionDirectory {
  /**
   * Records a heartbeat. Rooms the server reports that are unplaced (or placed on a dead server)
   * are placed on it again under the epoch it reports, so a restarted backend rebuilds its
   * placements; a room reported under an older epoch than the directory's newest was placed again
   * since, and is revoked instead. A room placed on this server that it has not reported for a whole
   * heartbeat TTL (it let the room go) is released, so its slot is free again. Returns the reported
   * rooms that are placed on another live server (or were placed again since): the caller tells the
   * server to drop them.
   */
  heartbeat(hb: SessionHeartbeat, now: number): Promise<HeartbeatOutcome>;
  /**
   * Live move of one room: places it on `to` (live, not draining) or, without `to`, on the least
   * loaded live, non-draining server other than its owner, under a new epoch; the former owner's next
   * heartbeat gets the room in `moved`. Null when no such server can take it; `to` equal to the
   * owner changes nothing.
   */
  move(roomId: string, now: number, to?: string): Promise<Placement | null>;
  /**
   * Drains a server: it takes no more rooms (also while its heartbeats do not say so yet, for an
   * operator's order: until one says `draining`), and each room placed on it is placed elsewhere now under a new epoch (or left
   * unplaced when no server can take it); its next heartbeat gets them in `moved` (and `drain`).
   * Returns the rooms moved, or null for an unknown server.
   */
  drain(serverId: string, now: number): Promise<string[] | null>;
  /**
   * The identity of the store that holds the room's history: the store of the first server the room
   * was placed on, kept while the room lives. Null for a room never placed on a server that said its
   * store. A room is only ever placed on (or adopted from, or moved to) a server with that store, so
   * no server with a store of its own can serve a room whose history is elsewhere.
   */
  roomStore(roomId: string): Promise<string | null>;
  /** Forgets a server at once (it said it is gone); its rooms become placeable. */
  removeServer(serverId: string): Promise<void>;
  /** Every known server, live or not (dead ones until they are swept). */
  servers(now: number): Promise<ServerRecord[]>;
  /** The rooms placed on each server id. */
  placements(): Promise<Map<string, string[]>>;

  createRoom(room: RoomRecord, now: number): Promise<void>;
  /** The room, or null when it is unknown or expired. */
  getRoom(roomId: string, now: number): Promise<RoomRecord | null>;
  /**
   * Summaries of the live rooms among `roomIds`, in the order asked (unknown and expired ones left
   * out), from what the rooms' servers last reported in heartbeats: no room store is read, and no
   * room is marked active. `online` counts only while the report is younger than a heartbeat TTL.
   */
  roomSummaries(roomIds: string[], now: number): Promise<RoomSummary[]>;
  /** Marks rooms active now, pushing back their expiry. */
  touchRooms(roomIds: string[], now: number): Promise<void>;

  /**
   * Get-or-place: the room's server if it is live and not draining (a draining server closed the
   * room's sockets with 1012, so its clients come here to move), else the least-loaded live,
   * non-draining server with a free room slot (which then holds it). Null when no server can take it.
   */
  place(roomId: string, now: number): Promise<Placement | null>;

  /**
   * The get-or-start call in one step (one round trip for a remote directory): null when the room
   * is unknown or expired, else the room, marked active at `now`, with `place`'s answer for it.
   */
  openRoom(roomId: string, now: number): Promise<OpenedRoom | null>;

  close(): Promise<void>;
}

/** What a heartbeat tells its server. */
export interface HeartbeatOutcome {
  /** Reported rooms placed on another live server or under a newer epoch: give them up at once (4404). */
  revoked: string[];
  /** Reported rooms moved away by a drain or an operator: store what was accepted, then `moved` and 1012. */
  moved: string[];
  /** An operator drained this server: stop taking rooms. */
  drain: boolean;
}

/** Timing the directory needs; from the backend's config. */
export interface DirectoryTiming {
  /** A server whose last heartbeat is older than this is dead. */
  heartbeatTtlMs: number;
  /** A room with no activity for this long expires. */
  roomTtlMs: number;
}

export function isAlive(server: Pick<ServerRecord, 'lastHeartbeat'>, now: number, ttlMs: number): boolean {
  return now - server.lastHeartbeat <= ttlMs;
}
