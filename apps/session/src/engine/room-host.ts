import { CloseCode, FrameErrorCode, FrameErrorCodeV2, ServerEvent } from '@app/shared';
import { ALWAYS_HELD, type LeaseView } from '../lease/lease';
import { encodeFrame, errorFrame, type EncodedFrame } from '../protocol/server-frame';
import { type RoomSnapshot, type RoomStore, SeqConflictError, StaleEpochError } from '../store/room-store.port';
import type { Clock } from '../time/clock';
import { Delivery } from './delivery';
import { closeQuietly, type RoomMember } from './member-socket';
import { IMMEDIATE_OUTBOX, type Outbox } from './outbox';
import { Presence } from './presence';
import { RoomLifecycle } from './room-lifecycle';
import { SILENT_ROOM_LOG, type RoomLog } from './room-log';
import { NO_ROOM_METER, type RoomMeter } from '../metrics/room-meter';
import type { RoomContext, RoomKind, RoomLimits } from './room-kind';
import { WriteQueue, type QueuedWrite } from './write-queue';

export interface RoomHostOptions<S, W extends QueuedWrite> {
  kind: RoomKind<S, W>;
  roomId: string;
  /** The room's name from the session token that opened it (null when it has none), for `welcome`. */
  name?: string | null;
  serverId: string;
  /**
   * Epoch of the placement this server holds the room under (the session token's): every write is
   * made under it, so the store refuses them once a newer owner has loaded the room.
   */
  epoch: number;
  /** What the store holds of the room: its newest messages (at least `resumeLimit` when there are). */
  snapshot: RoomSnapshot;
  store: RoomStore;
  clock: Clock;
  limits: RoomLimits;
  /** Called once when the room is closed for good (idle, moved, drained, failed). A method, so a room of one kind fits where any room is held. */
  onClosed(room: RoomHost<S, W>): void;
  log?: RoomLog;
  /** Counts accepted and delivered messages and slow-consumer closes (metrics). */
  meter?: RoomMeter;
  /**
   * Runs the store write for what this room accepted (default `queueMicrotask`: right after the
   * socket callback that accepted it, so a message waits for no other socket's frames; messages that
   * arrive while a write is in flight go in the next batch). `setImmediate` batched more per write
   * but added a wait for the rest of the loop turn: the bench's p99 after the server's stamp went
   * from 6–30 ms to 1–2 ms at 3,000 msgs/s with this.
   */
  defer?: (fn: () => void) => void;
  /** Holds members' writes so that frames for one connection leave together (default: none held). */
  outbox?: Outbox;
  /**
   * The server's lease on its rooms (default: always held). While it has lapsed the room sends its
   * members nothing: `typing` is dropped, every other frame is held until `leaseRenewed`.
   */
  lease?: LeaseView;
}

export type JoinOutcome = 'joined' | 'full' | 'closed';

/**
 * One room as the engine holds it, whatever its kind: members and presence (`joined`, `left`,
 * `typing`), delivery (outbox, slow consumers, the lease gate), the write queue (epoch fence, group
 * commit, store before ack) and the room's life (idle, drain, close). Its content is the kind's:
 * frames go to the kind's handlers with the kind's state, and the kind reaches back only through
 * the `RoomContext` this host lends it. Plain class, no Nest and no `ws`.
 */
export class RoomHost<S = unknown, W extends QueuedWrite = QueuedWrite> {
  readonly roomId: string;
  readonly epoch: number;
  readonly name: string | null;
  readonly kind: RoomKind<S, W>;
  /** The kind's state of this room. */
  readonly content: S;
  private readonly presence = new Presence();
  private readonly delivery: Delivery;
  private readonly writes: WriteQueue<W>;
  private readonly life: RoomLifecycle;
  private readonly limits: RoomLimits;
  private readonly clock: Clock;
  private readonly log: RoomLog;
  private readonly serverId: string;
  private readonly onClosed: RoomHostOptions<S, W>['onClosed'];
  private lastActivityAt: number;

  constructor(options: RoomHostOptions<S, W>) {
    this.roomId = options.roomId;
    this.name = options.name ?? null;
    this.epoch = options.epoch;
    this.kind = options.kind;
    this.serverId = options.serverId;
    this.limits = options.limits;
    this.clock = options.clock;
    this.log = options.log ?? SILENT_ROOM_LOG;
    this.onClosed = (room) => options.onClosed(room);
    const meter = options.meter ?? NO_ROOM_METER;
    const defer = options.defer ?? queueMicrotask;
    this.life = new RoomLifecycle(this.clock, this.limits.idleMs, () => {
      if (this.presence.connections.size === 0) void this.drain(CloseCode.Normal, 'room idle');
    });
    this.delivery = new Delivery({
      roomId: this.roomId,
      members: this.presence.connections,
      lease: options.lease ?? ALWAYS_HELD,
      outbox: options.outbox ?? IMMEDIATE_OUTBOX,
      log: this.log,
      meter,
      sendBufferLimitBytes: this.limits.sendBufferLimitBytes,
      isClosed: () => this.life.isClosed,
      dropped: (member) => this.leave(member),
      overflowed: () => this.close(CloseCode.ServiceRestart, 'server lost contact with the backend'),
    });
    this.writes = new WriteQueue<W>({
      defer,
      write: (run) => this.kind.write(this.content, run),
      stored: (run) => this.kind.stored(this.content, run),
      failed: (err) => this.storeFailed(err),
      emptied: () => this.checkSettled(),
      isClosed: () => this.life.isClosed,
    });
    this.content = this.kind.create(this.context(options.store, meter, defer), options.snapshot);
    this.lastActivityAt = this.clock.now();
    // A room is created for a connection that joins right away; should it never, it still goes.
    this.life.armIdleTimer();
  }

  get isOpen(): boolean {
    return this.life.isOpen;
  }

  /** Resolves once the room is closed for good. */
  get closed(): Promise<void> {
    return this.life.closed;
  }

  get lastSeq(): number {
    return this.kind.lastSeq(this.content);
  }

  get connectionCount(): number {
    return this.presence.connections.size;
  }

  get memberCount(): number {
    return this.presence.userCount;
  }

  /** True while a new user would be refused (`maxMembers` unique users connected). */
  get isFull(): boolean {
    return this.presence.userCount >= this.limits.maxMembers;
  }

  /** Ids of the users connected now. */
  memberIds(): string[] {
    return this.presence.userIds();
  }

  /** See `Presence.version`. */
  get membersVersion(): number {
    return this.presence.version;
  }

  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /**
   * Adds a connection and sends it `welcome`; the other members get `joined` when it is the user's
   * first connection. A new user beyond `maxMembers` is refused (`full`); another connection of a
   * user already present is always let in. `since` and `sinceRev` make it a resume (the kind's
   * welcome says what that carries).
   */
  join(member: RoomMember, since?: number, sinceRev?: number): JoinOutcome {
    if (!this.life.isOpen) return 'closed';
    if (!this.presence.hasUser(member.user.id) && this.isFull) return 'full';
    this.life.clearIdleTimer();
    const first = this.presence.add(member);
    this.touch();
    this.delivery.sendTo(member, this.kind.welcome(this.content, member, this.presence.userRefs(), { since, sinceRev }));
    if (first) this.delivery.broadcast(encodeFrame(ServerEvent.Joined, { user: member.user }), member.user.id);
    return 'joined';
  }

  /** Removes a connection (idempotent); the others get `left` when it was the user's last one. */
  leave(member: RoomMember): void {
    const left = this.presence.remove(member);
    if (left === undefined) return;
    if (left && this.life.isOpen) this.delivery.broadcast(encodeFrame(ServerEvent.Left, { user: left }));
    this.touch();
    if (this.presence.connections.size === 0 && this.life.isOpen) this.life.armIdleTimer();
  }

  /**
   * Hands a client frame (validated by the gateway) to the kind's handler for `event`. The handler
   * decides what a closing room still answers (a history page, say) and what it drops.
   */
  handle(member: RoomMember, event: string, payload: unknown): void {
    const handler = Object.hasOwn(this.kind.handlers, event) ? this.kind.handlers[event] : undefined;
    if (!handler) return this.delivery.sendTo(member, errorFrame(FrameErrorCode.UnknownEvent, `${this.kind.name} rooms take no ${event} frames`));
    handler(this.content, member, payload as never);
  }

  /** Tells the other members this user is typing, at most once per `typingThrottleMs` per user. */
  typing(member: RoomMember): void {
    // Ephemeral: not worth holding while the lease has lapsed, and never to be sent for a room that may have moved.
    if (!this.life.isOpen || !this.delivery.leaseHeld) return;
    const user = this.presence.typing(member, this.clock.now(), this.limits.typingThrottleMs);
    if (user) this.delivery.broadcast(encodeFrame(ServerEvent.Typing, { user }), member.user.id);
  }

  /** Sends one frame to one member (replies: welcome, ack, history, error). */
  reply(member: RoomMember, frame: EncodedFrame): void {
    this.delivery.sendTo(member, frame);
  }

  /** The server's lease was renewed: the frames held back while it had lapsed go out, in order. */
  leaseRenewed(): void {
    this.delivery.leaseRenewed();
  }

  /** Resolves when every accepted write is stored (and its frames sent), or the room closed. */
  settled(): Promise<void> {
    return this.life.settled(this.isSettled());
  }

  /**
   * Stops taking frames, stores what was accepted (so its acks go out), then closes every
   * connection with `code`, after `farewell` when given (`moved`). Used for draining and moves
   * (1012) and idle disposal.
   */
  async drain(code: number = CloseCode.ServiceRestart, reason = 'server restarting', farewell?: EncodedFrame): Promise<void> {
    if (!this.life.beginClosing()) return this.life.closed;
    await this.settled();
    if (farewell && this.life.isClosing) for (const member of this.presence.connections) this.delivery.sendTo(member, farewell);
    this.close(code, reason);
  }

  /**
   * Closes every connection with `code` right away and forgets the room. Writes not yet stored
   * are dropped unacknowledged: their senders send them again after reconnecting.
   */
  close(code: number, reason: string): void {
    if (!this.life.markClosed()) return;
    this.writes.clear();
    this.delivery.clear();
    this.kind.closed(this.content);
    for (const member of this.presence.connections) closeQuietly(member.socket, code, reason);
    this.presence.clear();
    this.life.finish();
    this.onClosed(this);
  }

  private isSettled(): boolean {
    return this.writes.idle && !this.kind.busy(this.content);
  }

  private checkSettled(): void {
    if (this.isSettled()) this.life.wakeSettled();
  }

  private touch(): void {
    this.lastActivityAt = this.clock.now();
  }

  /** A store write failed: nothing of it was stored, so no ack and no frame goes out for it. */
  private storeFailed(err: unknown): void {
    if (this.life.isClosed) return;
    if (err instanceof StaleEpochError) {
      // The clients resume on the new owner.
      this.log.warn(
        `room ${this.roomId}: the store has seen epoch ${err.storedEpoch} (this server holds ${this.epoch}): the room was placed elsewhere, giving it up`,
      );
      this.close(CloseCode.RoomMoved, 'room moved to another server');
      return;
    }
    if (err instanceof SeqConflictError) {
      this.log.warn(`room ${this.roomId}: seq ${err.seq} already stored by another server, giving the room up`);
      this.close(CloseCode.RoomMoved, 'room moved to another server');
      return;
    }
    // The store is in doubt: drop the room, so the next connection loads it again from the store.
    this.log.error(`room ${this.roomId}: storing messages failed, closing the room`, err);
    this.close(CloseCode.ServiceRestart, 'storage unavailable');
  }

  /** What the kind sees of this room. */
  private context(store: RoomStore, meter: RoomMeter, defer: (fn: () => void) => void): RoomContext<W> {
    const life = this.life;
    const presence = this.presence;
    const delivery = this.delivery;
    return {
      roomId: this.roomId,
      epoch: this.epoch,
      name: this.name,
      serverId: this.serverId,
      limits: this.limits,
      store,
      clock: this.clock,
      log: this.log,
      meter,
      defer,
      get isOpen() {
        return life.isOpen;
      },
      get isClosed() {
        return life.isClosed;
      },
      get leaseHeld() {
        return delivery.leaseHeld;
      },
      isMember: (member) => presence.has(member),
      sendTo: (member, frame) => delivery.sendTo(member, frame),
      refuse: (member, code: FrameErrorCode | FrameErrorCodeV2, text) => delivery.sendTo(member, errorFrame(code, text)),
      broadcast: (frame, except) => delivery.broadcast(frame, except),
      enqueue: (write) => {
        this.touch();
        this.writes.push(write);
      },
      touch: () => this.touch(),
      storeFailed: (err) => this.storeFailed(err),
      checkSettled: () => this.checkSettled(),
    };
  }
}
