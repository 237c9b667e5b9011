import {
  CloseCode,
  DEFAULT_LIMITS,
  FrameErrorCode,
  FrameErrorCodeV2,
  ServerEvent,
  ServerEventV2,
  type MessageV2,
  type ReadMarker,
  type UserRef,
} from '@app/shared';
import { MessageLog } from '../history/message-log';
import { encodeFrame, encodeMessageFrame, encodeWelcomeFrame, errorFrame, MESSAGE_DATA_START, TEXT_FRAME, type EncodedFrame } from '../protocol/server-frame';
import { ALWAYS_HELD, type LeaseView } from '../lease/lease';
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
  /**
   * The server's lease on its rooms (default: always held). While it has lapsed the room sends its
   * members nothing: `typing` is dropped, every other frame is held until `leaseRenewed`.
   */
  lease?: LeaseView;
}

/**
 * Frames one room holds back while the lease has lapsed; past this many the room is closed with 1012
 * (its clients come back through the backend) rather than holding without bound.
 */
export const MAX_WITHHELD_FRAMES = 10_000;

export type JoinOutcome = 'joined' | 'full' | 'closed';

export type HistoryPage = { messages: MessageV2[]; hasMore: boolean };

/** A message as this server makes it: always with its `rev`. */
type RoomMessage = MessageV2 & { rev: number };

interface Presence {
  user: UserRef;
  connections: number;
  lastTypingAt: number;
}

interface PendingMessage {
  kind: 'send';
  message: RoomMessage;
  sender: RoomMember;
  /** Connections that re-sent the same clientMsgId before it was stored: they get its ack too. */
  duplicates: RoomMember[] | null;
}

/** An accepted edit, deletion or reaction change, waiting for the store: the message's new state. */
interface PendingChange {
  kind: 'change';
  message: RoomMessage;
  /** `edited`, `deleted` or `reaction`, broadcast once the change is stored. */
  frame: EncodedFrame;
}

type PendingWrite = PendingMessage | PendingChange;

/** When a user's read marker was last passed on to the others, and the notice waiting to go. */
interface ReadNotice {
  lastAt: number;
  timer: TimerHandle | null;
}

type RoomState = 'open' | 'closing' | 'closed';

const silentLog: ChatRoomLog = { warn: () => undefined, error: () => undefined };

/** Last member-set version handed out, shared by every room of the process (see `membersVersion`). */
let membersVersions = 0;

/**
 * One room: members, recent history, seq, de-duplication, typing throttle, lifecycle. Plain class,
 * no Nest and no `ws`: it talks to sockets through `MemberSocket` and to time through `Clock`.
 *
 * Write path: `send` assigns the next seq and queues the message; once per tick the queue goes to
 * the store in one `append`, and only after that resolves are the messages broadcast and acked.
 * While a write is in flight new messages wait for the next one (group commit), so the store sees
 * at most one write per room at a time and seqs reach it in order.
 *
 * Edits, deletions and reaction changes (version 2) take the same queue, so they reach the store in
 * the order they were accepted, interleaved with sends, one write at a time: a run of sends is one
 * `append`, a run of changes one `update`. Each raises the room's `rev`; it is broadcast once stored.
 * The ring keeps messages as they were appended; the stored state of those changed since is kept
 * beside it (`changed`), and wins wherever the ring is read. Read markers are kept in memory,
 * raised to the max, written to the store in the background, and passed on to the other members
 * at most once a second per user.
 */
export class ChatRoom {
  readonly roomId: string;
  readonly epoch: number;
  readonly name: string | null;
  private state: RoomState = 'open';
  private readonly connections = new Set<RoomMember>();
  private readonly users = new Map<string, Presence>();
  private membersVer = ++membersVersions;
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
  /** The room's revision: of the newest stored change, and given to the newest accepted one. */
  private storedRev: number;
  private assignedRev: number;
  /** Stored state of ring messages changed after they entered the ring, by seq. */
  private readonly changed = new Map<number, RoomMessage>();
  /** Accepted changes not stored yet: the newest state by seq (what the next change builds on). */
  private readonly accepted = new Map<number, RoomMessage>();
  /** Read markers of every user who ever read here (from the store, then raised). */
  private readonly reads = new Map<string, number>();
  /** Users whose marker was raised since it was last written. */
  private readonly dirtyReads = new Set<string>();
  private readsWriting = false;
  private readsScheduled = false;
  private readonly readNotices = new Map<string, ReadNotice>();
  private queue: PendingWrite[] = [];
  private inFlight: PendingWrite[] | null = null;
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
  private readonly lease: LeaseView;
  /** Frames held back while the lease has lapsed, in order: sent when it is renewed, dropped on close. */
  private withheld: Array<{ member: RoomMember; frame: EncodedFrame }> = [];
  private readonly serverId: string;
  private readonly onClosed: (room: ChatRoom) => void;
  private closedResolve!: () => void;
  /** Resolves once the room is closed for good. */
  readonly closed: Promise<void> = new Promise((resolve) => (this.closedResolve = resolve));

  constructor(options: ChatRoomOptions) {
    this.roomId = options.roomId;
    this.name = options.name ?? null;
    this.epoch = options.epoch;
    this.serverId = options.serverId;
    this.limits = options.limits;
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.log ?? silentLog;
    this.meter = options.meter ?? NO_ROOM_METER;
    this.defer = options.defer ?? queueMicrotask;
    this.outbox = options.outbox ?? IMMEDIATE_OUTBOX;
    this.lease = options.lease ?? ALWAYS_HELD;
    this.onClosed = options.onClosed;
    this.ring = new MessageLog(Math.max(this.limits.resumeLimit, this.limits.historyLimit, 1), { keyed: true });
    const { snapshot } = options;
    // A snapshot may hold more than the ring (or, from a trimmed store, start later than seq 1).
    for (const m of snapshot.messages.slice(-this.ring.capacity)) this.ring.push(m.seq, JSON.stringify(m), m.id);
    this.storedSeq = snapshot.lastSeq;
    this.assignedSeq = snapshot.lastSeq;
    // A store written by a version-1 server has messages and no rev: never go below theirs.
    let rev = snapshot.rev ?? 0;
    for (const m of snapshot.messages) if ((m.rev ?? 0) > rev) rev = m.rev ?? 0;
    this.storedRev = rev;
    this.assignedRev = rev;
    for (const r of snapshot.reads ?? []) this.reads.set(r.userId, Math.max(this.reads.get(r.userId) ?? 0, r.seq));
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

  /** The room's revision as stored. */
  get rev(): number {
    return this.storedRev;
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

  /**
   * Changes whenever a user joins or leaves, and is never the same for two rooms of this process:
   * the heartbeat lists a full room's members only when this differs from the last beat's.
   */
  get membersVersion(): number {
    return this.membersVer;
  }

  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /**
   * Adds a connection and sends it `welcome`; the other members get `joined` when it is the user's
   * first connection. A new user beyond `maxMembers` is refused (`full`); another connection of a
   * user already present is always let in. With `since` and `sinceRev` (a resume), `welcome.changed`
   * holds the messages up to `since` changed after `sinceRev`, in their current state.
   */
  join(member: RoomMember, since?: number, sinceRev?: number): JoinOutcome {
    if (this.state !== 'open') return 'closed';
    const presence = this.users.get(member.user.id);
    if (!presence && this.users.size >= this.limits.maxMembers) return 'full';
    this.clearIdleTimer();
    this.connections.add(member);
    if (presence) presence.connections++;
    else {
      this.users.set(member.user.id, { user: member.user, connections: 1, lastTypingAt: -Infinity });
      this.membersVer = ++membersVersions;
    }
    this.touch();

    const messages = since === undefined ? this.messagesJson(0, this.limits.historyLimit) : this.messagesJson(since, this.limits.resumeLimit);
    const members: UserRef[] = [];
    const reads: ReadMarker[] = [];
    for (const p of this.users.values()) {
      members.push(p.user);
      reads.push({ userId: p.user.id, seq: this.reads.get(p.user.id) ?? 0 });
    }
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
          name: this.name,
          rev: this.storedRev,
          readSeq: this.reads.get(member.user.id) ?? 0,
          reads,
          changed: since !== undefined && sinceRev !== undefined ? this.changedSince(since, sinceRev) : [],
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
      this.membersVer = ++membersVersions;
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
    const message: RoomMessage = {
      seq: ++this.assignedSeq,
      id: clientMsgId,
      userId: member.user.id,
      name: member.user.name,
      text,
      ts: this.clock.now(),
      rev: ++this.assignedRev,
    };
    const entry: PendingMessage = { kind: 'send', message, sender: member, duplicates: null };
    this.queue.push(entry);
    this.pending.set(clientMsgId, entry);
    this.meter.messageAccepted();
    this.touch();
    this.scheduleWrite();
  }

  /**
   * Replaces the text of the member's own message (already validated as a `send`'s): refused when
   * the seq is unknown (`not_found`), not the member's (`forbidden`) or deleted (`deleted`).
   * Stored, then every member gets `edited`.
   */
  edit(member: RoomMember, seq: number, text: string): void {
    const message = this.target(member, seq, true);
    if (!message) return;
    if (message.deleted) return this.refuse(member, FrameErrorCodeV2.Deleted, `message ${seq} is deleted`);
    const rev = ++this.assignedRev;
    const editedAt = this.clock.now();
    this.change({ ...message, text, editedAt, rev }, encodeFrame(ServerEventV2.Edited, { seq, text, editedAt, rev }));
  }

  /**
   * Deletes the member's own message: `text` "", `deleted` true, reactions gone; the seq stays.
   * Deleting a deleted message again changes nothing and is no error. Stored, then `deleted` to all.
   */
  delete(member: RoomMember, seq: number): void {
    const message = this.target(member, seq, true);
    if (!message || message.deleted) return;
    const rev = ++this.assignedRev;
    const { reactions: _gone, ...kept } = message;
    this.change({ ...kept, text: '', deleted: true, rev }, encodeFrame(ServerEventV2.Deleted, { seq, rev }));
  }

  /**
   * Sets (`on`) or clears the member's `emoji` (already validated) on any message. Doing it twice
   * changes nothing and sends nothing; a 21st distinct emoji is refused (`limit`), and so is any
   * reaction to a deleted message (`deleted`: its reactions were removed with it). Stored, then
   * `reaction` to all.
   */
  react(member: RoomMember, seq: number, emoji: string, on: boolean): void {
    const message = this.target(member, seq, false);
    if (!message) return;
    if (message.deleted) return this.refuse(member, FrameErrorCodeV2.Deleted, `message ${seq} is deleted`);
    const userId = member.user.id;
    const reactions = message.reactions ?? {};
    const users = Object.hasOwn(reactions, emoji) ? reactions[emoji] : undefined;
    if (on === (users?.includes(userId) ?? false)) return;
    let next: Record<string, string[]>;
    if (on) {
      if (!users && Object.keys(reactions).length >= DEFAULT_LIMITS.maxReactionsPerMessage) {
        return this.refuse(member, FrameErrorCodeV2.Limit, `a message holds at most ${DEFAULT_LIMITS.maxReactionsPerMessage} different emoji`);
      }
      next = { ...reactions, [emoji]: [...(users ?? []), userId] };
    } else {
      next = { ...reactions, [emoji]: users!.filter((id) => id !== userId) };
      if (next[emoji].length === 0) delete next[emoji];
    }
    const rev = ++this.assignedRev;
    const { reactions: _old, ...rest } = message;
    const updated: RoomMessage = Object.keys(next).length ? { ...rest, reactions: next, rev } : { ...rest, rev };
    this.change(updated, encodeFrame(ServerEventV2.Reaction, { seq, emoji, userId, on, rev }));
  }

  /**
   * Raises the member's read marker to `seq` (an integer ≥ 0, at most `lastSeq`): kept for every
   * device of the user and written to the store; the other members hear of it at most once per
   * `readNoticeMs` per user, with the newest value.
   */
  read(member: RoomMember, seq: number): void {
    if (this.state !== 'open' || !this.connections.has(member)) return;
    if (seq > this.storedSeq) return this.refuse(member, FrameErrorCode.Invalid, `seq must be from 0 to lastSeq (${this.storedSeq})`);
    const userId = member.user.id;
    if (seq <= (this.reads.get(userId) ?? 0)) return;
    this.reads.set(userId, seq);
    this.dirtyReads.add(userId);
    this.scheduleReadsWrite();
    this.noticeRead(userId);
  }

  /** Tells the other members this user is typing, at most once per `typingThrottleMs` per user. */
  typing(member: RoomMember): void {
    // Ephemeral: not worth holding while the lease has lapsed, and never to be sent for a room that may have moved.
    if (this.state !== 'open' || !this.lease.held()) return;
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
      const messages: MessageV2[] = this.ring.range(lo, hi);
      if (this.changed.size) for (let i = 0; i < messages.length; i++) messages[i] = this.changed.get(messages[i].seq) ?? messages[i];
      return { messages, hasMore: lo > 1 };
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

  /** The server's lease was renewed: the frames held back while it had lapsed go out, in order. */
  leaseRenewed(): void {
    if (this.withheld.length === 0 || this.state === 'closed') return;
    const frames = this.withheld;
    this.withheld = [];
    for (const { member, frame } of frames) if (this.connections.has(member)) this.sendTo(member, frame);
  }

  /** Resolves when every accepted message is stored (and broadcast), or the room closed. */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
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
    this.withheld = [];
    this.pending.clear();
    this.accepted.clear();
    this.dirtyReads.clear();
    for (const notice of this.readNotices.values()) if (notice.timer) this.clock.clearTimeout(notice.timer);
    this.readNotices.clear();
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

  /** Writes the oldest run of queued sends (one `append`) or of queued changes (one `update`). */
  private write(): void {
    if (this.inFlight || this.queue.length === 0 || this.state === 'closed') return;
    const kind = this.queue[0].kind;
    let run = 1;
    while (run < this.queue.length && this.queue[run].kind === kind) run++;
    const batch = run === this.queue.length ? this.queue : this.queue.slice(0, run);
    this.queue = run === this.queue.length ? [] : this.queue.slice(run);
    this.inFlight = batch;
    const messages = batch.map((p) => p.message);
    const write = kind === 'send' ? this.store.append(this.roomId, messages, this.epoch) : this.store.update(this.roomId, messages, this.epoch);
    write.then(
      () => this.stored(batch),
      (err: unknown) => this.writeFailed(err),
    );
  }

  private stored(batch: PendingWrite[]): void {
    this.inFlight = null;
    if (this.state === 'closed') return;
    for (const pending of batch) {
      const { message } = pending;
      this.storedRev = message.rev;
      if (pending.kind === 'change') {
        this.changeStored(pending);
        continue;
      }
      this.storedSeq = message.seq;
      // Encoded once: the frame every member gets, and (its data part) the ring's copy.
      const frame = encodeMessageFrame(message);
      this.ring.push(message.seq, frame.subarray(MESSAGE_DATA_START, frame.length - 1), message.id);
      // The ring drops one message per push once full: its stored change goes with it.
      if (this.changed.size) this.changed.delete(this.ring.oldestSeq - 1);
      this.pending.delete(message.id);
      this.meter.messagesDelivered(this.broadcast(frame));
      const ack = encodeFrame(ServerEvent.Ack, { clientMsgId: message.id, seq: message.seq });
      if (this.connections.has(pending.sender)) this.sendTo(pending.sender, ack);
      for (const dup of pending.duplicates ?? []) if (this.connections.has(dup)) this.sendTo(dup, ack);
    }
    if (this.queue.length) this.write();
    else if (this.isSettled()) this.wakeSettled();
  }

  private changeStored(change: PendingChange): void {
    const { message } = change;
    if (this.ring.size && message.seq >= this.ring.oldestSeq) this.changed.set(message.seq, message);
    if (this.accepted.get(message.seq) === message) this.accepted.delete(message.seq);
    this.broadcast(change.frame);
  }

  /** Queues a message's new state (its `rev` taken already) for the store; broadcast once stored. */
  private change(message: RoomMessage, frame: EncodedFrame): void {
    this.accepted.set(message.seq, message);
    this.queue.push({ kind: 'change', message, frame });
    this.touch();
    this.scheduleWrite();
  }

  /**
   * The current state of the message `seq` for a change by `member` (its own only, when
   * `ownOnly`), or null after refusing the frame: a seq that is not stored, or older than the ring
   * holds (the room keeps changes only for its newest messages), is `not_found`.
   */
  private target(member: RoomMember, seq: number, ownOnly: boolean): RoomMessage | null {
    if (this.state !== 'open' || !this.connections.has(member)) return null;
    const message = this.current(seq);
    if (!message) {
      this.refuse(member, FrameErrorCodeV2.NotFound, `no message ${seq} here (it may be older than the room keeps)`);
      return null;
    }
    if (ownOnly && message.userId !== member.user.id) {
      this.refuse(member, FrameErrorCodeV2.Forbidden, `message ${seq} is not yours`);
      return null;
    }
    return message;
  }

  /** The newest state of a stored message the ring holds (accepted changes included), or null. */
  private current(seq: number): RoomMessage | null {
    if (!this.ring.size || seq < this.ring.oldestSeq || seq > this.storedSeq) return null;
    const known = this.accepted.get(seq) ?? this.changed.get(seq);
    if (known) return known;
    const message = JSON.parse(this.ring.json(seq)) as MessageV2;
    return { ...message, rev: message.rev ?? 0 };
  }

  private refuse(member: RoomMember, code: FrameErrorCode | FrameErrorCodeV2, text: string): void {
    this.sendTo(member, errorFrame(code, text));
  }

  /** The ring's messages after `after` (the newest `limit`), as a JSON array, changes applied. */
  private messagesJson(after: number, limit: number): Buffer {
    if (!this.changed.size) return this.ring.afterJson(after, limit);
    const hi = this.ring.newestSeq;
    const lo = limit > 0 ? Math.max(after + 1, hi - limit + 1, this.ring.oldestSeq) : hi + 1;
    const parts: string[] = [];
    for (let seq = lo; seq <= hi; seq++) {
      const changed = this.changed.get(seq);
      parts.push(changed ? JSON.stringify(changed) : this.ring.json(seq));
    }
    return Buffer.from(`[${parts.join(',')}]`);
  }

  /**
   * A resume's `changed`: the messages with seq ≤ `since` whose stored rev is above `sinceRev`,
   * current state, oldest first, among the newest `resumeLimit` messages.
   */
  private changedSince(since: number, sinceRev: number): MessageV2[] {
    const out: MessageV2[] = [];
    if (!this.ring.size || sinceRev >= this.storedRev) return out;
    const lo = Math.max(this.ring.oldestSeq, this.storedSeq - this.limits.resumeLimit + 1);
    const hi = Math.min(since, this.storedSeq);
    for (let seq = lo; seq <= hi; seq++) {
      const message = this.changed.get(seq) ?? (JSON.parse(this.ring.json(seq)) as MessageV2);
      if ((message.rev ?? 0) > sinceRev) out.push(message);
    }
    return out;
  }

  private scheduleReadsWrite(): void {
    if (this.readsWriting || this.readsScheduled) return;
    this.readsScheduled = true;
    this.defer(() => {
      this.readsScheduled = false;
      this.writeReads();
    });
  }

  /** Writes the raised read markers (one write in flight at a time; markers raised meanwhile go next). */
  private writeReads(): void {
    if (this.state === 'closed' || this.readsWriting || this.dirtyReads.size === 0) return;
    const batch: ReadMarker[] = [];
    for (const userId of this.dirtyReads) batch.push({ userId, seq: this.reads.get(userId) ?? 0 });
    this.dirtyReads.clear();
    this.readsWriting = true;
    this.store.saveReads(this.roomId, batch, this.epoch).then(
      () => {
        this.readsWriting = false;
        if (this.state === 'closed') return;
        if (this.dirtyReads.size) this.scheduleReadsWrite();
        else if (this.isSettled()) this.wakeSettled();
      },
      (err: unknown) => {
        this.readsWriting = false;
        if (this.state === 'closed') return;
        if (err instanceof StaleEpochError) return this.writeFailed(err);
        // Not retried: the room still holds the markers, and the next raise of a user's marker
        // writes its (higher) value. Retrying here could keep a drain waiting on a store that is down.
        this.log.error(`room ${this.roomId}: storing read markers failed`, err);
        if (this.dirtyReads.size) this.scheduleReadsWrite();
        else if (this.isSettled()) this.wakeSettled();
      },
    );
  }

  /** Passes a user's marker on to the others now, or once `readNoticeMs` after the last notice. */
  private noticeRead(userId: string): void {
    let notice = this.readNotices.get(userId);
    if (!notice) this.readNotices.set(userId, (notice = { lastAt: -Infinity, timer: null }));
    if (notice.timer) return; // one is due already; it carries the newest value
    const wait = notice.lastAt + DEFAULT_LIMITS.readNoticeMs - this.clock.now();
    if (wait <= 0) return this.sendReadNotice(userId, notice);
    const due = notice;
    due.timer = this.clock.setTimeout(() => {
      due.timer = null;
      this.sendReadNotice(userId, due);
    }, wait);
  }

  private sendReadNotice(userId: string, notice: ReadNotice): void {
    if (this.state !== 'open') return;
    notice.lastAt = this.clock.now();
    this.broadcast(encodeFrame(ServerEventV2.Read, { userId, seq: this.reads.get(userId) ?? 0 }), userId);
  }

  private isSettled(): boolean {
    return !this.inFlight && this.queue.length === 0 && !this.readsWriting && this.dirtyReads.size === 0;
  }

  private writeFailed(err: unknown): void {
    this.inFlight = null;
    if (this.state === 'closed') return;
    if (err instanceof StaleEpochError) {
      // Nothing of the batch was stored: no ack, no broadcast; the clients resume on the new owner.
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

  /** Sends one encoded frame to every connection (except those of `exceptUserId`); returns how many got it. */
  private broadcast(frame: EncodedFrame, exceptUserId?: string): number {
    if (!this.lease.held()) {
      for (const member of this.connections) if (member.user.id !== exceptUserId) this.withhold(member, frame);
      return 0;
    }
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
    if (!this.lease.held()) this.withhold(member, frame);
    else if (member.socket.readyState === SOCKET_OPEN) this.deliver(member, frame);
  }

  private withhold(member: RoomMember, frame: EncodedFrame): void {
    if (this.state === 'closed') return;
    this.withheld.push({ member, frame });
    if (this.withheld.length <= MAX_WITHHELD_FRAMES) return;
    this.log.warn(`room ${this.roomId}: ${MAX_WITHHELD_FRAMES} frames held back while the server has no lease; closing the room`);
    this.close(CloseCode.ServiceRestart, 'server lost contact with the backend');
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
