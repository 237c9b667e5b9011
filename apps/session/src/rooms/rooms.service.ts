import { Lease } from '../lease/lease';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { ClientEvent, ClientEventV2, ClientEventV3, CloseCode, ServerEvent, type HeldRoom, type RoomKindName, type UserRef } from '@app/shared';
import { SessionConfig } from '../config/session.config';
import type { Admission } from '../gateway/connection-admission';
import { ServerState } from '../lifecycle/server-state';
import { SessionMetrics } from '../metrics/session-metrics';
import { encodeFrame } from '../protocol/server-frame';
import { ROOM_STORE, StaleEpochError, type RoomStore } from '../store/room-store.port';
import { CLOCK, type Clock } from '../time/clock';
import type { RoomMember } from '../engine/member-socket';
import { LoopTurnOutbox, type Corkable } from '../engine/outbox';
import { RoomHost } from '../engine/room-host';
import type { RoomKind, RoomLimits } from '../engine/room-kind';
import type { QueuedWrite } from '../engine/write-queue';
import type { RoomLog } from '../engine/room-log';
import { ROOM_KINDS } from '../kinds/room-kinds';

/** One socket: its user, its room once hydrated, and what it asked for before that. */
class Connection implements RoomMember {
  room: RoomHost | null = null;
  closed = false;
  /** Frames that arrived while the room was still loading, replayed in order once it joined. */
  waiting: Array<(room: RoomHost) => void> = [];

  constructor(
    readonly socket: WebSocket,
    readonly user: UserRef,
    readonly roomId: string,
    /** Epoch of the placement the token was issued for: the room is served to it under this one only. */
    readonly epoch: number,
    readonly since: number | undefined,
    readonly transport: Corkable | undefined,
    /** `?rev=` of a resume (with `since`). */
    readonly sinceRev: number | undefined,
    /** The room's name from the token: a room loaded for this connection takes it. */
    readonly roomName: string | null,
    /** The room's kind from the token: a room loaded for this connection is of this kind. */
    readonly kind: RoomKindName,
  ) {}
}

/** `moved` `{}`: the room lives elsewhere now; the 1012 close follows. */
const MOVED_FRAME = encodeFrame(ServerEvent.Moved, {});

/** Most frames kept for a connection whose room is loading (the rate limit bounds them anyway). */
const MAX_WAITING_FRAMES = 64;

interface Loading {
  epoch: number;
  room: Promise<RoomHost | null>;
}

/**
 * The rooms this server holds, by id. Creates a room on its first valid connection by loading it
 * from the store (connections arriving meanwhile wait for the same load), forgets it when it
 * closes, and routes each socket's frames to its room.
 */
@Injectable()
export class RoomsService {
  private readonly log = new Logger(RoomsService.name);
  private readonly rooms = new Map<string, RoomHost>();
  private readonly loading = new Map<string, Loading>();
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly limits: RoomLimits;
  private readonly roomLog: RoomLog;
  /** One for the whole server: a loop turn's frames for every room leave in one flush. */
  private readonly outbox = new LoopTurnOutbox();

  constructor(
    private readonly config: SessionConfig,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly state: ServerState,
    private readonly metrics: SessionMetrics,
    private readonly lease: Lease,
  ) {
    this.limits = {
      historyLimit: config.HISTORY_LIMIT,
      resumeLimit: config.RESUME_LIMIT,
      maxMembers: config.MAX_MEMBERS,
      maxMessageLength: config.MAX_MESSAGE_LENGTH,
      maxFrameBytes: config.MAX_FRAME_BYTES,
      typingThrottleMs: config.TYPING_THROTTLE_MS,
      idleMs: config.ROOM_IDLE_MS,
      sendBufferLimitBytes: config.SEND_BUFFER_LIMIT_BYTES,
    };
    this.roomLog = {
      warn: (message) => this.log.warn(message),
      error: (message, err) => this.log.error(message, err instanceof Error ? err.stack : String(err)),
    };
    metrics.trackHeld(this);
    lease.onRenewed(() => {
      for (const room of this.rooms.values()) room.leaseRenewed();
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** The identity of the store this server keeps its rooms in (reported in heartbeats). */
  storeIdentity(): Promise<string> {
    return this.store.identity();
  }

  /**
   * What the heartbeat reports. `listed`: the member-set version of each full room whose ids the
   * backend already has (from the last beat it answered); such a room says `membersUnchanged`
   * instead of listing them again. `versions` receives the version of every full room reported.
   */
  heldRooms(listed?: ReadonlyMap<string, number>, versions?: Map<string, number>): HeldRoom[] {
    const held: HeldRoom[] = [];
    for (const room of this.rooms.values()) {
      if (!room.isOpen) continue;
      const entry: HeldRoom = {
        roomId: room.roomId,
        connections: room.connectionCount,
        lastActivity: room.lastActivity,
        epoch: room.epoch,
        members: room.memberCount,
        lastSeq: room.lastSeq,
      };
      // Ids only for a full room: the backend refuses everyone else before a socket opens.
      if (room.isFull) {
        const version = room.membersVersion;
        versions?.set(room.roomId, version);
        if (listed?.get(room.roomId) === version) entry.membersUnchanged = true;
        else entry.memberIds = room.memberIds();
      }
      held.push(entry);
    }
    return held;
  }

  /** `transport` is the TCP socket under `socket` (the upgrade request's), whose writes rooms hold. */
  connect(socket: WebSocket, admission: Admission, transport?: Corkable): void {
    if (this.state.draining) return socket.close(CloseCode.ServiceRestart, 'server draining');
    const conn = new Connection(socket, admission.user, admission.roomId, admission.epoch, admission.since, transport, admission.rev, admission.roomName, admission.kind);
    this.connections.set(socket, conn);
    this.enter(conn);
  }

  disconnect(socket: WebSocket): void {
    const conn = this.connections.get(socket);
    if (!conn) return;
    this.connections.delete(socket);
    conn.closed = true;
    conn.waiting = [];
    conn.room?.leave(conn);
  }

  send(socket: WebSocket, text: string, clientMsgId: string): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEvent.Send, { text, clientMsgId }));
  }

  edit(socket: WebSocket, seq: number, text: string): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV2.Edit, { seq, text }));
  }

  delete(socket: WebSocket, seq: number): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV2.Delete, { seq }));
  }

  react(socket: WebSocket, seq: number, emoji: string, on: boolean): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV2.React, { seq, emoji, on }));
  }

  read(socket: WebSocket, seq: number): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV2.Read, { seq }));
  }

  /** A board's `update` (version 3); a chat room refuses it (`unknown_event`). */
  update(socket: WebSocket, update: string, clientMsgId: string): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV3.Update, { update, clientMsgId }));
  }

  /** A board's `cursor` (version 3); a chat room refuses it (`unknown_event`). */
  cursor(socket: WebSocket, x: number, y: number): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEventV3.Cursor, { x, y }));
  }

  typing(socket: WebSocket): void {
    this.withRoom(socket, (conn, room) => room.typing(conn));
  }

  history(socket: WebSocket, before: number, limit: number): void {
    this.withRoom(socket, (conn, room) => room.handle(conn, ClientEvent.History, { before, limit }));
  }

  /**
   * Rooms the directory placed elsewhere: their sockets are closed with 4404, their state dropped.
   * `reported` is the epoch each room was reported under in the heartbeat that got this answer: a
   * room held under a newer epoch since (placed here again meanwhile) is not the one revoked.
   */
  revoke(roomIds: readonly string[], reported: ReadonlyMap<string, number | undefined> = new Map()): void {
    for (const roomId of roomIds) {
      const room = this.rooms.get(roomId);
      if (!room) continue;
      const epoch = reported.get(roomId);
      if (epoch !== undefined && room.epoch > epoch) continue;
      this.log.warn(`room ${roomId} (epoch ${room.epoch}) was placed on another server: closing it here`);
      room.close(CloseCode.RoomMoved, 'room moved to another server');
    }
  }

  /**
   * Rooms placed on another server by a drain or an operator's move (live move): each stores what it
   * accepted (acks go out), then sends every member `moved` and closes with 1012, so they ask the
   * backend at once and resume on the new owner. A room held under a newer epoch than reported is
   * not the one moved.
   */
  moveOut(roomIds: readonly string[], reported: ReadonlyMap<string, number | undefined> = new Map()): Promise<void> {
    const moving: Promise<void>[] = [];
    for (const roomId of roomIds) {
      const room = this.rooms.get(roomId);
      if (!room) continue;
      const epoch = reported.get(roomId);
      if (epoch !== undefined && room.epoch > epoch) continue;
      this.log.log(`room ${roomId} (epoch ${room.epoch}) moves to another server`);
      moving.push(room.drain(CloseCode.ServiceRestart, 'room moved', MOVED_FRAME));
    }
    return Promise.allSettled(moving).then(() => undefined);
  }

  /**
   * Stops for good: every room stores what it accepted (acks go out), then all sockets get `moved`
   * and are closed with 1012. Call after ServerState started draining, so no room or connection is added.
   */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.loading.values()].map((l) => l.room));
    await Promise.allSettled([...this.rooms.values()].map((room) => room.drain(CloseCode.ServiceRestart, 'server draining', MOVED_FRAME)));
    for (const conn of this.connections.values()) conn.socket.close(CloseCode.ServiceRestart, 'server draining');
  }

  private withRoom(socket: WebSocket, action: (conn: Connection, room: RoomHost) => void): void {
    const conn = this.connections.get(socket);
    if (!conn) return;
    if (conn.room) return action(conn, conn.room);
    if (conn.waiting.length < MAX_WAITING_FRAMES) conn.waiting.push((room) => action(conn, room));
  }

  /**
   * Joins the connection to its room under the token's epoch, loading the room first when it is not
   * in memory. The room held here under an older epoch was placed again since (here or elsewhere):
   * it is fenced off, its sockets closed with 4404, and loaded anew. A token older than the epoch
   * held gets 4404: its holder asks the backend again.
   */
  private enter(conn: Connection): void {
    if (conn.closed) return;
    const room = this.rooms.get(conn.roomId);
    if (room?.isOpen) {
      if (room.epoch === conn.epoch) return this.joinChecked(conn, room);
      if (room.epoch > conn.epoch) return conn.socket.close(CloseCode.RoomMoved, 'room moved: get a new session');
      this.log.warn(`room ${conn.roomId}: a token for epoch ${conn.epoch} arrived while it is held under ${room.epoch}: reloading it`);
      room.close(CloseCode.RoomMoved, 'room moved');
    }
    const pending = this.loading.get(conn.roomId);
    if (pending && pending.epoch !== conn.epoch) {
      // Another epoch is loading: decide once it is in memory (or failed).
      const again = () => this.enter(conn);
      pending.room.then(again, again);
      return;
    }
    const next = pending?.room ?? this.load(conn.roomId, conn.epoch, conn.roomName, conn.kind);
    if (next === 'full') {
      this.log.warn(`refusing room ${conn.roomId}: this server holds MAX_ROOMS=${this.config.MAX_ROOMS} rooms`);
      return conn.socket.close(CloseCode.ServiceRestart, 'server full');
    }
    next.then(
      (loaded) => {
        if (loaded) this.join(conn, loaded);
        else conn.socket.close(CloseCode.ServiceRestart, 'server draining');
      },
      (err: unknown) => {
        if (err instanceof StaleEpochError) {
          this.log.warn(`room ${conn.roomId}: token epoch ${conn.epoch} is older than the store's ${err.storedEpoch}: the room lives elsewhere`);
          return conn.socket.close(CloseCode.RoomMoved, 'room moved: get a new session');
        }
        this.log.error(`loading room ${conn.roomId} failed`, err instanceof Error ? err.stack : String(err));
        conn.socket.close(CloseCode.InternalError, 'room unavailable');
      },
    );
  }

  /**
   * Joins a room that was in memory already: first one cheap store read proves the room was not
   * placed elsewhere since it was loaded (a newer epoch), so this welcome is not older than what a
   * newer owner acknowledged. (A room loaded for this connection needs none: its load claimed the
   * epoch and read the history in one step.) Frames the client sends meanwhile wait.
   */
  private joinChecked(conn: Connection, room: RoomHost): void {
    this.store.fence(room.roomId).then(
      (fence) => {
        if (fence.epoch > room.epoch) {
          this.log.warn(`room ${room.roomId}: the store has seen epoch ${fence.epoch} (held under ${room.epoch}): giving it up`);
          room.close(CloseCode.RoomMoved, 'room moved to another server');
          return conn.socket.close(CloseCode.RoomMoved, 'room moved: get a new session');
        }
        // The room may have closed meanwhile (idle, drained): enter again decides anew.
        if (room.isOpen) this.join(conn, room);
        else this.enter(conn);
      },
      (err: unknown) => {
        this.log.error(`checking room ${room.roomId} before a join failed`, err instanceof Error ? err.stack : String(err));
        conn.socket.close(CloseCode.InternalError, 'room unavailable');
      },
    );
  }

  private join(conn: Connection, room: RoomHost): void {
    if (conn.closed) return;
    if (this.state.draining) return conn.socket.close(CloseCode.ServiceRestart, 'server draining');
    if (room.epoch !== conn.epoch) return this.enter(conn);
    const outcome = room.join(conn, conn.since, conn.sinceRev);
    if (outcome === 'full') return conn.socket.close(CloseCode.RoomFull, 'room full');
    // The room closed between load and join (idle, moved): load it again.
    if (outcome === 'closed') return this.enter(conn);
    conn.room = room;
    const waiting = conn.waiting;
    conn.waiting = [];
    for (const action of waiting) action(room);
  }

  private load(roomId: string, epoch: number, name: string | null, kind: RoomKindName): Promise<RoomHost | null> | 'full' {
    const closing = this.rooms.get(roomId);
    if (!closing && this.rooms.size + this.loading.size >= this.config.MAX_ROOMS) return 'full';
    const load = (async () => {
      // A room still closing here stores its last messages first, so the new one continues its seq.
      if (closing) await closing.closed;
      // Claims the epoch: from here on no write under an older one is stored, and the snapshot holds every earlier one.
      const roomKind = ROOM_KINDS[kind] as RoomKind<unknown, QueuedWrite>;
      const limit = roomKind.loadLimit?.(this.limits) ?? Math.max(this.limits.resumeLimit, this.limits.historyLimit);
      const snapshot = await this.store.load(roomId, limit, epoch);
      if (this.state.draining) return null;
      const room: RoomHost = new RoomHost({
        kind: roomKind,
        roomId,
        name,
        serverId: this.config.serverId,
        epoch,
        snapshot,
        store: this.store,
        clock: this.clock,
        limits: this.limits,
        log: this.roomLog,
        meter: this.metrics,
        outbox: this.outbox,
        lease: this.lease,
        onClosed: (closed) => {
          if (this.rooms.get(closed.roomId) === closed) this.rooms.delete(closed.roomId);
        },
      });
      this.rooms.set(roomId, room);
      return room;
    })();
    const entry: Loading = { epoch, room: load };
    this.loading.set(roomId, entry);
    const forget = () => {
      if (this.loading.get(roomId) === entry) this.loading.delete(roomId);
    };
    load.then(forget, forget);
    return load;
  }
}
