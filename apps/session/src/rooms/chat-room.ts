import { CloseCode, ServerEvent, type Message, type UserRef } from '@app/shared';
import { MessageLog } from '../history/message-log';
import {
  encodeFrame,
  encodeMessageFrame,
  encodeWelcomeFrame,
  MESSAGE_DATA_START,
  TEXT_FRAME,
  type EncodedFrame,
} from '../protocol/server-frame';
import { type RoomSnapshot, type RoomStore, SeqConflictError, StaleEpochError } from '../store/room-store.port';
import type { Clock, TimerHandle } from '../time/clock';
import { NO_ROOM_METER, type RoomMeter } from './room-meter';
import { SOCKET_OPEN, type MemberSocket, type RoomMember } from './member-socket';
import { IMMEDIATE_OUTBOX, type Outbox } from './write-coalescer';

/**
 * Close code for a member that does not read fast enough (its send buffer passed the limit):
 * 1013 "Try Again Later" (RFC 6455 registry). Not 4429, which tells a client it sent too much;
 * the client reconnects with `since` and catches up without slowing the room for everyone else.
 */
export const SLOW_CONSUMER_CLOSE_CODE = CloseCode.TryAgainLater;

export interface ChatRoomLimits {
  /** Messages in a `welcome` without `since`. */
  historyLimit: number;
  /** Most messages in a `welcome` with `since`; also how many clientMsgIds are remembered at least. */
  resumeLimit: number;
  maxMembers: number;
  maxMessageLength: number;
  maxFrameBytes: number;
  typingThrottleMs: number;
  /** An empty room is disposed after this long. */
  idleMs: number;
  /** A member whose socket buffers more than this is closed with SLOW_CONSUMER_CLOSE_CODE. */
  sendBufferLimitBytes: number;
}

export interface ChatRoomLog {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ChatRoomOptions {
  roomId: string;
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
  limits: ChatRoomLimits;
  /** Called once when the room is closed for good (idle, moved, drained, failed). */
  onClosed: (room: ChatRoom) => void;
  log?: ChatRoomLog;
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
}

export type JoinOutcome = 'joined' | 'full' | 'closed';

export type HistoryPage = { messages: Message[]; hasMore: boolean };

interface Presence {
  user: UserRef;
  connections: number;
  lastTypingAt: number;
}

interface PendingMessage {
  message: Message;
  sender: RoomMember;
  /** Connections that re-sent the same clientMsgId before it was stored: they get its ack too. */
  duplicates: RoomMember[] | null;
}

type RoomState = 'open' | 'closing' | 'closed';

const silentLog: ChatRoomLog = { warn: () => undefined, error: () => undefined };

/**
 * One room: members, recent history, seq, de-duplication, typing throttle, lifecycle. Plain class,
 * no Nest and no `ws`: it talks to sockets through `MemberSocket` and to time through `Clock`.
 *
 * Write path: `send` assigns the next seq and queues the message; once per tick the queue goes to
 * the store in one `append`, and only after that resolves are the messages broadcast and acked.
 * While a write is in flight new messages wait for the next one (group commit), so the store sees
 * at most one write per room at a time and seqs reach it in order.
 */
export class ChatRoom {
  readonly roomId: string;
  readonly epoch: number;
  private state: RoomState = 'open';
  private readonly connections = new Set<RoomMember>();
  private readonly users = new Map<string, Presence>();
  /**
   * The newest stored messages (at least `resumeLimit`), with their clientMsgIds indexed: welcomes,
   * history pages the ring covers, and de-duplication of stored messages.
   */
  private readonly ring: MessageLog;
  /** Accepted messages not stored yet (`queue` and `inFlight`), by clientMsgId: a few, for a moment. */
  private readonly pending = new Map<string, PendingMessage>();
  /** Seq of the newest stored message. */
  private storedSeq: number;
  /** Seq given to the newest accepted message (stored or not). */
  private assignedSeq: number;
  private queue: PendingMessage[] = [];
  private inFlight: PendingMessage[] | null = null;
  private writeScheduled = false;
  private idleTimer: TimerHandle | null = null;
  private settledWaiters: Array<() => void> = [];
  private lastActivityAt: number;
  private readonly limits: ChatRoomLimits;
  private readonly store: RoomStore;
  private readonly clock: Clock;
  private readonly log: ChatRoomLog;
  private readonly meter: RoomMeter;
  private readonly defer: (fn: () => void) => void;
  private readonly outbox: Outbox;
  private readonly serverId: string;
  private readonly onClosed: (room: ChatRoom) => void;
  private closedResolve!: () => void;
  /** Resolves once the room is closed for good. */
  readonly closed: Promise<void> = new Promise((resolve) => (this.closedResolve = resolve));

  constructor(options: ChatRoomOptions) {
    this.roomId = options.roomId;
    this.epoch = options.epoch;
    this.serverId = options.serverId;
    this.limits = options.limits;
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.log ?? silentLog;
    this.meter = options.meter ?? NO_ROOM_METER;
    this.defer = options.defer ?? queueMicrotask;
    this.outbox = options.outbox ?? IMMEDIATE_OUTBOX;
    this.onClosed = options.onClosed;
    this.ring = new MessageLog(Math.max(this.limits.resumeLimit, this.limits.historyLimit, 1), { keyed: true });
    const { snapshot } = options;
    // A snapshot may hold more than the ring (or, from a trimmed store, start later than seq 1).
    for (const m of snapshot.messages.slice(-this.ring.capacity)) this.ring.push(m.seq, JSON.stringify(m), m.id);
    this.storedSeq = snapshot.lastSeq;
    this.assignedSeq = snapshot.lastSeq;
    this.lastActivityAt = this.clock.now();
    // A room is created for a connection that joins right away; should it never, it still goes.
    this.armIdleTimer();
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get lastSeq(): number {
    return this.storedSeq;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get memberCount(): number {
    return this.users.size;
  }

  /** True while a new user would be refused (`maxMembers` unique users connected). */
  get isFull(): boolean {
    return this.users.size >= this.limits.maxMembers;
  }

  /** Ids of the users connected now. */
  memberIds(): string[] {
    return [...this.users.keys()];
  }

  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /**
   * Adds a connection and sends it `welcome`; the other members get `joined` when it is the user's
   * first connection. A new user beyond `maxMembers` is refused (`full`); another connection of a
   * user already present is always let in.
   */
  join(member: RoomMember, since?: number): JoinOutcome {
    if (this.state !== 'open') return 'closed';
    const presence = this.users.get(member.user.id);
    if (!presence && this.users.size >= this.limits.maxMembers) return 'full';
    this.clearIdleTimer();
    this.connections.add(member);
    if (presence) presence.connections++;
    else this.users.set(member.user.id, { user: member.user, connections: 1, lastTypingAt: -Infinity });
    this.touch();

    const messages = since === undefined ? this.ring.afterJson(0, this.limits.historyLimit) : this.ring.afterJson(since, this.limits.resumeLimit);
    const members: UserRef[] = [];
    for (const p of this.users.values()) members.push(p.user);
    this.sendTo(
      member,
      encodeWelcomeFrame(
        {
          roomId: this.roomId,
          serverId: this.serverId,
          you: member.user,
          members,
          lastSeq: this.storedSeq,
          limits: {
            maxMessageLength: this.limits.maxMessageLength,
            maxMembers: this.limits.maxMembers,
            maxFrameBytes: this.limits.maxFrameBytes,
          },
          epoch: this.epoch,
        },
        messages,
      ),
    );
    if (!presence) this.broadcast(encodeFrame(ServerEvent.Joined, { user: member.user }), member.user.id);
    return 'joined';
  }

  /** Removes a connection (idempotent); the others get `left` when it was the user's last one. */
  leave(member: RoomMember): void {
    if (!this.connections.delete(member)) return;
    const presence = this.users.get(member.user.id);
    if (presence && --presence.connections === 0) {
      this.users.delete(member.user.id);
      if (this.state === 'open') this.broadcast(encodeFrame(ServerEvent.Left, { user: presence.user }));
    }
    this.touch();
    if (this.connections.size === 0 && this.state === 'open') this.armIdleTimer();
  }

  /**
   * Accepts a message (already validated): stored, then broadcast to every member and acked to the
   * sender. A clientMsgId already seen in the room is not stored again: the sender gets the first
   * ack. PROTOCOL.md keys this per room, not per sender; a client reusing another's id only loses
   * its own message, and random ids (UUIDs) never meet.
   */
  send(member: RoomMember, text: string, clientMsgId: string): void {
    if (this.state !== 'open' || !this.connections.has(member)) return;
    const storedSeq = this.ring.seqOfKey(clientMsgId);
    if (storedSeq) return this.sendTo(member, encodeFrame(ServerEvent.Ack, { clientMsgId, seq: storedSeq }));
    const pending = this.pending.get(clientMsgId);
    if (pending) {
      (pending.duplicates ??= []).push(member);
      return;
    }
    const message: Message = {
      seq: ++this.assignedSeq,
      id: clientMsgId,
      userId: member.user.id,
      name: member.user.name,
      text,
      ts: this.clock.now(),
    };
    const entry: PendingMessage = { message, sender: member, duplicates: null };
    this.queue.push(entry);
    this.pending.set(clientMsgId, entry);
    this.meter.messageAccepted();
    this.touch();
    this.scheduleWrite();
  }

  /** Tells the other members this user is typing, at most once per `typingThrottleMs` per user. */
  typing(member: RoomMember): void {
    if (this.state !== 'open') return;
    const presence = this.users.get(member.user.id);
    if (!presence || !this.connections.has(member)) return;
    const now = this.clock.now();
    if (now - presence.lastTypingAt < this.limits.typingThrottleMs) return;
    presence.lastTypingAt = now;
    this.broadcast(encodeFrame(ServerEvent.Typing, { user: presence.user }), member.user.id);
  }

  /**
   * The newest `limit` stored messages with seq < `before`, oldest first. Served from memory when
   * the ring covers the page, else from the store. `hasMore` is true while older messages exist.
   */
  async history(before: number, limit: number): Promise<HistoryPage> {
    const hi = Math.min(before - 1, this.storedSeq);
    if (hi < 1) return { messages: [], hasMore: false };
    const lo = Math.max(1, hi - limit + 1);
    if (this.ring.size && this.ring.oldestSeq <= lo) {
      return { messages: this.ring.range(lo, hi), hasMore: lo > 1 };
    }
    // One more than asked tells whether older ones exist (also for stores that trim old history).
    const rows = await this.store.before(this.roomId, hi + 1, limit + 1);
    const hasMore = rows.length > limit;
    return { messages: hasMore ? rows.slice(rows.length - limit) : rows, hasMore };
  }

  /** Sends one frame to one member (replies: welcome, ack, history, error). */
  reply(member: RoomMember, frame: EncodedFrame): void {
    this.sendTo(member, frame);
  }

  /** Resolves when every accepted message is stored (and broadcast), or the room closed. */
  settled(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /**
   * Stops taking messages, stores what was accepted (so its acks go out), then closes every
   * connection with `code`, after `farewell` when given (`moved`). Used for draining and moves
   * (1012) and idle disposal.
   */
  async drain(code: number = CloseCode.ServiceRestart, reason = 'server restarting', farewell?: EncodedFrame): Promise<void> {
    if (this.state !== 'open') return this.closed;
    this.state = 'closing';
    this.clearIdleTimer();
    await this.settled();
    if (farewell && this.state === 'closing') for (const member of this.connections) this.sendTo(member, farewell);
    this.close(code, reason);
  }

  /**
   * Closes every connection with `code` right away and forgets the room. Messages not yet stored
   * are dropped unacknowledged: their senders send them again after reconnecting.
   */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearIdleTimer();
    this.queue = [];
    this.pending.clear();
    for (const member of this.connections) closeQuietly(member.socket, code, reason);
    this.connections.clear();
    this.users.clear();
    this.wakeSettled();
    this.closedResolve();
    this.onClosed(this);
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.inFlight) return;
    this.writeScheduled = true;
    this.defer(() => {
      this.writeScheduled = false;
      this.write();
    });
  }

  private write(): void {
    if (this.inFlight || this.queue.length === 0 || this.state === 'closed') return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight = batch;
    const messages = batch.map((p) => p.message);
    this.store.append(this.roomId, messages, this.epoch).then(
      () => this.stored(batch),
      (err: unknown) => this.writeFailed(err),
    );
  }

  private stored(batch: PendingMessage[]): void {
    this.inFlight = null;
    if (this.state === 'closed') return;
    for (const pending of batch) {
      const { message } = pending;
      this.storedSeq = message.seq;
      // Encoded once: the frame every member gets, and (its data part) the ring's copy.
      const frame = encodeMessageFrame(message);
      this.ring.push(message.seq, frame.subarray(MESSAGE_DATA_START, frame.length - 1), message.id);
      this.pending.delete(message.id);
      this.meter.messagesDelivered(this.broadcast(frame));
      const ack = encodeFrame(ServerEvent.Ack, { clientMsgId: message.id, seq: message.seq });
      if (this.connections.has(pending.sender)) this.sendTo(pending.sender, ack);
      for (const dup of pending.duplicates ?? []) if (this.connections.has(dup)) this.sendTo(dup, ack);
    }
    if (this.queue.length) this.write();
    else this.wakeSettled();
  }

  private writeFailed(err: unknown): void {
    this.inFlight = null;
    if (this.state === 'closed') return;
    if (err instanceof StaleEpochError) {
      // Nothing of the batch was stored: no ack, no broadcast; the clients resume on the new owner.
      this.log.warn(`room ${this.roomId}: the store has seen epoch ${err.storedEpoch} (this server holds ${this.epoch}): the room was placed elsewhere, giving it up`);
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

  /** Sends one encoded frame to every connection (except those of `exceptUserId`); returns how many got it. */
  private broadcast(frame: EncodedFrame, exceptUserId?: string): number {
    let slow: RoomMember[] | null = null;
    let sent = 0;
    for (const member of this.connections) {
      if (member.user.id === exceptUserId) continue;
      const socket = member.socket;
      if (socket.readyState !== SOCKET_OPEN) continue;
      if (socket.bufferedAmount > this.limits.sendBufferLimitBytes) (slow ??= []).push(member);
      else {
        this.deliver(member, frame);
        sent++;
      }
    }
    if (slow) for (const member of slow) this.dropSlowConsumer(member);
    return sent;
  }

  private sendTo(member: RoomMember, frame: EncodedFrame): void {
    if (member.socket.readyState === SOCKET_OPEN) this.deliver(member, frame);
  }

  /** Every frame to an open socket goes out here: held by the outbox first, so a turn's frames leave together. */
  private deliver(member: RoomMember, frame: EncodedFrame): void {
    this.outbox.hold(member.transport);
    member.socket.send(frame, TEXT_FRAME);
  }

  private dropSlowConsumer(member: RoomMember): void {
    this.log.warn(`room ${this.roomId}: closing a connection of ${member.user.id} that does not keep up`);
    this.meter.slowConsumerClosed();
    closeQuietly(member.socket, SLOW_CONSUMER_CLOSE_CODE, 'too slow to keep up');
    this.leave(member);
  }

  private touch(): void {
    this.lastActivityAt = this.clock.now();
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      if (this.connections.size === 0) void this.drain(CloseCode.Normal, 'room idle');
    }, this.limits.idleMs);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private wakeSettled(): void {
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}

function closeQuietly(socket: MemberSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closing or closed
  }
}
