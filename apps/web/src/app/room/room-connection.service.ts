import { DOCUMENT } from '@angular/common';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import {
  ClientEvent,
  CloseCode,
  DEFAULT_LIMITS,
  FrameErrorCode,
  ServerEvent,
  TOO_MANY_SOCKETS_REASON,
  checkMessageText,
  type ClientEventMap,
  type Message,
  type RoomLimits,
  type ServerEventMap,
  type ServerFrame,
  type UserRef,
  type WelcomePayload,
  type WelcomeV2Fields,
  type EditedPayload,
  type MessageV2,
  type ReactionPayload,
  type ReadPayload,
  ServerEventV2,
  type ClientEventMapV2,
  ClientEventV2,
} from '@app/shared';
import { ApiClient } from '../core/api-client.service';
import { ApiError } from '../core/api-error';
import { CLOCK, type TimerHandle } from '../core/clock';
import { SocketState, WEBSOCKET_FACTORY, type SocketLike } from '../core/websocket-factory';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { mergeBySeq, replaceBySeq } from './message-merge';

export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'not-found' | 'full' | 'unauthorized';

/** A message this client sent and has not yet seen come back from the room. */
export interface PendingMessage {
  clientMsgId: string;
  text: string;
  createdAt: number;
  /** Set by the `ack`; the message itself may arrive a moment later. */
  seq?: number;
}

export interface TypingUser {
  user: UserRef;
  until: number;
}

/** How long a `typing` event keeps a name in "is typing". */
export const TYPING_SHOW_MS = 4000;
/** Least time between two `typing` frames this client sends. */
export const TYPING_THROTTLE_MS = 2500;
/** A socket that opened no `welcome` within this time is given up and retried. */
export const WELCOME_TIMEOUT_MS = 10_000;
/**
 * A move (`moved`, or 1012/4404 on a live socket) is followed at once; "reconnecting" is shown only
 * when the new server has not welcomed this client within this time.
 */
export const MOVE_GRACE_MS = 1000;
/** After a `rate_limited` error, unacknowledged sends are tried again after this pause. */
export const RATE_LIMIT_RESEND_MS = 1500;
export const HISTORY_PAGE = 50;

const TERMINAL: ReadonlySet<ConnectionStatus> = new Set(['not-found', 'full', 'unauthorized']);

function randomId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function socketUrl(base: string, token: string, since: number | null, rev: number | null = null): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  if (since !== null) url.searchParams.set('since', String(since));
  if (since !== null && rev !== null) url.searchParams.set('rev', String(rev));
  return url.toString();
}

function parseFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== 'string') return null;
  try {
    const frame = JSON.parse(raw) as { event?: unknown; data?: unknown };
    if (typeof frame.event !== 'string' || typeof frame.data !== 'object' || frame.data === null) return null;
    return frame as ServerFrame;
  } catch {
    return null;
  }
}

/**
 * The one live room of this tab: asks the backend where the room lives, holds the WebSocket to that
 * session server, and survives losing it. On any loss it asks the backend again (the room may have
 * moved), reconnects with backoff and `since=<last seq seen>`, and sends unacknowledged messages again
 * with their original `clientMsgId` (the room drops duplicates). Messages are merged by seq, so
 * nothing shows twice. Everything the UI reads is a signal.
 */
@Injectable({ providedIn: 'root' })
export class RoomConnection {
  private readonly api = inject(ApiClient);
  private readonly clock = inject(CLOCK);
  private readonly createSocket = inject(WEBSOCKET_FACTORY);

  private readonly _status = signal<ConnectionStatus>('idle');
  private readonly _attempt = signal(0);
  private readonly _nextRetryAt = signal<number | null>(null);
  private readonly _roomId = signal<string | null>(null);
  private readonly _serverId = signal<string | null>(null);
  /** The room's name from the last `welcome` (version 2), null when it has none or the server does not say. */
  private readonly _roomName = signal<string | null>(null);
  /** This user's read marker in the room (version 2): from `welcome`, raised by `markRead`. */
  private readonly _readSeq = signal(0);
  /** Read markers of the room's members as last heard (welcome `reads`, then `read` events), by user id. */
  private readonly _reads = signal<ReadonlyMap<string, number>>(new Map());
  private readonly _me = signal<UserRef | null>(null);
  private readonly _members = signal<UserRef[]>([]);
  private readonly _messages = signal<Message[]>([]);
  private readonly _pending = signal<PendingMessage[]>([]);
  private readonly _typing = signal<TypingUser[]>([]);
  private readonly _hasMoreHistory = signal(false);
  private readonly _loadingHistory = signal(false);
  private readonly _notice = signal<string | null>(null);
  private readonly _limits = signal<RoomLimits>({
    maxMessageLength: DEFAULT_LIMITS.maxMessageLength,
    maxMembers: DEFAULT_LIMITS.maxMembers,
    maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
  });

  readonly status = this._status.asReadonly();
  /** Reconnect attempt in progress (1-based), 0 while live. */
  readonly attempt = this._attempt.asReadonly();
  /** When the next reconnect attempt starts (epoch ms), while waiting for it. */
  readonly nextRetryAt = this._nextRetryAt.asReadonly();
  readonly roomId = this._roomId.asReadonly();
  readonly serverId = this._serverId.asReadonly();
  readonly roomName = this._roomName.asReadonly();
  readonly readSeq = this._readSeq.asReadonly();
  readonly reads = this._reads.asReadonly();
  readonly me = this._me.asReadonly();
  readonly members = this._members.asReadonly();
  /** Confirmed messages, ordered by seq, each seq once. */
  readonly messages = this._messages.asReadonly();
  readonly pending = this._pending.asReadonly();
  readonly typingUsers = computed(() => this._typing().map((t) => t.user));
  readonly hasMoreHistory = this._hasMoreHistory.asReadonly();
  readonly loadingHistory = this._loadingHistory.asReadonly();
  /** Last problem worth telling the user (a failed attempt, a rejected frame). */
  readonly notice = this._notice.asReadonly();
  readonly limits = this._limits.asReadonly();
  readonly isLive = computed(() => this._status() === 'live');
  readonly isClosedForGood = computed(() => TERMINAL.has(this._status()));

  private socket: SocketLike | null = null;
  private socketWelcomed = false;
  /** Bumped on every connect/leave so that late answers from an earlier room are ignored. */
  private generation = 0;
  private everWelcomed = false;
  private lastSeenSeq = 0;
  private lastTypingSentAt = -Infinity;
  private retryTimer: TimerHandle | null = null;
  private welcomeTimer: TimerHandle | null = null;
  /** The room revision this client has seen (welcome, messages, changes): a resume asks for `changed` after it. */
  private lastRev = 0;
  private typingTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private graceTimer: TimerHandle | null = null;
  /** Set by `moved`: the close that follows is a move, not a loss. */
  private movedAnnounced = false;

  constructor() {
    // Back online: no need to wait out the backoff.
    const win = inject(DOCUMENT).defaultView;
    const onOnline = () => this.retryNow();
    win?.addEventListener('online', onOnline);
    inject(DestroyRef).onDestroy(() => {
      win?.removeEventListener('online', onOnline);
      this.leave();
    });
  }

  /** Joins `roomId` (leaving any other room); a no-op when already in it. */
  connect(roomId: string): void {
    if (this._roomId() === roomId && this._status() !== 'idle') return;
    this.leave();
    this._roomId.set(roomId);
    this._status.set('connecting');
    void this.openSession(this.generation);
  }

  /** Closes the socket and forgets the room. */
  leave(): void {
    this.generation++;
    this.clearTimers();
    this.dropSocket(CloseCode.Normal, 'leaving');
    this.everWelcomed = false;
    this.movedAnnounced = false;
    this.lastSeenSeq = 0;
    this.lastRev = 0;
    this.lastTypingSentAt = -Infinity;
    this._status.set('idle');
    this._attempt.set(0);
    this._nextRetryAt.set(null);
    this._roomId.set(null);
    this._serverId.set(null);
    this._roomName.set(null);
    this._readSeq.set(0);
    this._reads.set(new Map());
    this._me.set(null);
    this._members.set([]);
    this._messages.set([]);
    this._pending.set([]);
    this._typing.set([]);
    this._hasMoreHistory.set(false);
    this._loadingHistory.set(false);
    this._notice.set(null);
  }

  /** Skips the backoff wait: used by a "retry now" button and when the browser comes back online. */
  retryNow(): void {
    if (this._status() !== 'reconnecting' || this.socket) return;
    this.clear('retryTimer');
    this._nextRetryAt.set(null);
    void this.openSession(this.generation);
  }

  /**
   * Queues a message: shown as pending at once, sent now when live, or after the next `welcome`.
   * Returns the problem when the text is refused (empty, too long) or the room is gone for good.
   */
  send(text: string): string | null {
    if (this.isClosedForGood() || this._status() === 'idle') return 'Not connected to a room';
    const check = checkMessageText(text, this._limits().maxMessageLength);
    if (!check.ok) return check.reason;
    const message: PendingMessage = { clientMsgId: randomId(), text, createdAt: this.clock.now() };
    this._pending.update((list) => [...list, message]);
    if (this.socketWelcomed) this.emit(ClientEvent.Send, { text, clientMsgId: message.clientMsgId });
    return null;
  }

  /** Call on every keystroke: at most one `typing` frame per {@link TYPING_THROTTLE_MS} goes out. */
  notifyTyping(): void {
    if (!this.socketWelcomed) return;
    const now = this.clock.now();
    if (now - this.lastTypingSentAt < TYPING_THROTTLE_MS) return;
    this.lastTypingSentAt = now;
    this.emit(ClientEvent.Typing, {});
  }

  /** Asks for the page of messages before the oldest one shown. */
  loadOlder(): void {
    if (!this.socketWelcomed || this._loadingHistory() || !this._hasMoreHistory()) return;
    const oldest = this._messages()[0]?.seq;
    if (oldest === undefined || oldest <= 1) {
      this._hasMoreHistory.set(false);
      return;
    }
    if (this.emit(ClientEvent.History, { before: oldest, limit: HISTORY_PAGE })) this._loadingHistory.set(true);
  }

  // --- session and socket -------------------------------------------------------------------------

  private async openSession(generation: number): Promise<void> {
    const roomId = this._roomId();
    if (!roomId) return;
    let session;
    try {
      session = await this.api.roomSession(roomId);
    } catch (error) {
      if (generation !== this.generation) return;
      const problem = ApiError.from(error);
      // 400: an id that cannot name a room; 404: unknown or expired. Neither gets better by retrying.
      if (problem.status === 404 || problem.status === 400) return this.stop('not-found', problem.message);
      if (problem.status === 401) return this.stop('unauthorized', problem.message);
      // 409: the room is full (its server last reported maxMembers users): no socket is opened.
      if (problem.status === 409) return this.stop('full', 'This room is full');
      return this.scheduleReconnect(problem.message);
    }
    if (generation !== this.generation) return;

    let socket: SocketLike;
    try {
      socket = this.createSocket(socketUrl(session.url, session.token, this.everWelcomed ? this.lastSeenSeq : null, this.everWelcomed ? this.lastRev : null));
    } catch (error) {
      return this.scheduleReconnect(error instanceof Error ? error.message : 'Cannot open the connection');
    }
    this.socket = socket;
    this.socketWelcomed = false;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.handleFrame(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.socketWelcomed = false;
      this.handleClose(event.code, event.reason);
    };
    // An error is always followed by a close, which decides what happens next.
    socket.onerror = () => undefined;
    this.welcomeTimer = this.clock.setTimeout(() => {
      this.welcomeTimer = null;
      if (this.socket !== socket || this.socketWelcomed) return;
      this.dropSocket(CloseCode.Normal, 'no welcome');
      this.scheduleReconnect('The room server did not answer in time');
    }, WELCOME_TIMEOUT_MS);
  }

  private handleClose(code: number, closeReason = ''): void {
    this.clear('welcomeTimer');
    this.clear('resendTimer');
    this._typing.set([]);
    this._loadingHistory.set(false);
    if (code === CloseCode.RoomFull) return this.stop('full', 'This room is full');
    // A draining server or a moved room: the backend already knows the new place, so go at once.
    const immediate = this.movedAnnounced || code === CloseCode.ServiceRestart || code === CloseCode.RoomMoved;
    const wasLive = this._status() === 'live';
    this.movedAnnounced = false;
    if (immediate && wasLive && this._attempt() === 0) return this.followMove();
    const reason =
      code === CloseCode.RateLimited
        ? closeReason === TOO_MANY_SOCKETS_REASON
          ? 'This room is open in too many of your tabs or devices: close one'
          : 'Too many messages too fast'
        : code === CloseCode.FrameTooLarge
          ? 'A message was too large'
          : 'Connection lost';
    this.scheduleReconnect(reason, immediate);
  }

  /**
   * The room moved: ask the backend at once and resume there, still showing "live" (sends wait as
   * pending) unless the new server has not welcomed us within MOVE_GRACE_MS.
   */
  private followMove(): void {
    this.clear('retryTimer');
    this._attempt.set(1);
    const generation = this.generation;
    this.graceTimer = this.clock.setTimeout(() => {
      this.graceTimer = null;
      if (generation !== this.generation || this.socketWelcomed || this._status() !== 'live') return;
      this._status.set('reconnecting');
      this._notice.set('The room is moving to another server');
    }, MOVE_GRACE_MS);
    void this.openSession(generation);
  }

  private scheduleReconnect(reason: string, immediate = false): void {
    this.clear('retryTimer');
    const attempt = this._attempt() + 1;
    this._attempt.set(attempt);
    this._status.set('reconnecting');
    this._notice.set(reason);
    const delay = immediate && attempt === 1 ? 0 : backoffDelay(attempt, this.clock.random(), DEFAULT_BACKOFF);
    this._nextRetryAt.set(this.clock.now() + delay);
    const generation = this.generation;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this._nextRetryAt.set(null);
      if (generation === this.generation) void this.openSession(generation);
    }, delay);
  }

  private stop(status: ConnectionStatus, reason: string): void {
    this.clearTimers();
    this.dropSocket(CloseCode.Normal, status);
    this._status.set(status);
    this._nextRetryAt.set(null);
    this._notice.set(reason);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.socketWelcomed = false;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (socket.readyState === SocketState.Connecting || socket.readyState === SocketState.Open) socket.close(code, reason);
  }

  /**
   * Raises this user's read marker to `seq` (version 2 `read`): sent only while live and when it is
   * higher than the marker; the caller paces it (at most once a second).
   */
  /** Replaces the text of one of my messages (version 2 `edit`); `edited` comes back to everyone. */
  editMessage(seq: number, text: string): boolean {
    return this._status() === 'live' && this.emit(ClientEventV2.Edit, { seq, text });
  }

  /** Deletes one of my messages (version 2 `delete`). */
  deleteMessage(seq: number): boolean {
    return this._status() === 'live' && this.emit(ClientEventV2.Delete, { seq });
  }

  /** Sets or clears my reaction on a message (version 2 `react`). */
  react(seq: number, emoji: string, on: boolean): boolean {
    return this._status() === 'live' && this.emit(ClientEventV2.React, { seq, emoji, on });
  }

  markRead(seq: number): void {
    if (this._status() !== 'live' || seq <= this._readSeq()) return;
    if (this.emit(ClientEventV2.Read, { seq })) this._readSeq.set(seq);
  }

  private emit<E extends keyof (ClientEventMap & ClientEventMapV2)>(event: E, data: (ClientEventMap & ClientEventMapV2)[E]): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== SocketState.Open) return false;
    socket.send(JSON.stringify({ event, data }));
    return true;
  }

  // --- server events ------------------------------------------------------------------------------

  private handleFrame(raw: unknown): void {
    const frame = parseFrame(raw);
    if (!frame) return;
    if (this.onChange(frame as unknown as { event: string; data: Record<string, unknown> })) return;
    switch (frame.event) {
      case ServerEvent.Welcome:
        return this.onWelcome(frame.data);
      case ServerEvent.Message:
        return this.onMessage(frame.data);
      case ServerEvent.Ack:
        return this.onAck(frame.data);
      case ServerEvent.Joined:
        return this.onJoined(frame.data);
      case ServerEvent.Left:
        return this.onLeft(frame.data);
      case ServerEvent.Typing:
        return this.onTyping(frame.data);
      case ServerEvent.History:
        return this.onHistory(frame.data);
      case ServerEvent.Error:
        return this.onError(frame.data);
      case ServerEvent.Moved:
        // The room lives elsewhere now: go at once, without waiting for the 1012 close handshake.
        this.movedAnnounced = true;
        this.dropSocket(CloseCode.Normal, 'room moved');
        return this.handleClose(CloseCode.ServiceRestart);
    }
  }

  private onWelcome(data: WelcomePayload): void {
    this.clear('welcomeTimer');
    this.clear('graceTimer');
    const incoming = data.messages ?? [];
    const firstIncoming = incoming[0]?.seq;
    if (!this.everWelcomed) {
      this._messages.set(mergeBySeq([], incoming));
      this._hasMoreHistory.set(firstIncoming !== undefined && firstIncoming > 1);
    } else if (firstIncoming !== undefined && firstIncoming > this.lastSeenSeq + 1) {
      // More was missed than a resume carries: show the newest and let history fill the rest.
      this._messages.set(mergeBySeq([], incoming));
      this._hasMoreHistory.set(true);
    } else {
      this._messages.update((list) => mergeBySeq(list, incoming));
    }
    this.everWelcomed = true;
    this.socketWelcomed = true;
    this.lastSeenSeq = Math.max(this.lastSeenSeq, data.lastSeq, this._messages().at(-1)?.seq ?? 0);
    this._me.set(data.you);
    this._serverId.set(data.serverId);
    const v2 = data as WelcomePayload & WelcomeV2Fields;
    if (v2.changed?.length) this._messages.update((list) => replaceBySeq(list, v2.changed!));
    this.lastRev = Math.max(this.lastRev, v2.rev ?? 0);
    this._roomName.set(v2.name ?? null);
    if (v2.reads) this._reads.set(new Map(v2.reads.map((r) => [r.userId, r.seq])));
    this._readSeq.update((seq) => Math.max(seq, (data as WelcomePayload & WelcomeV2Fields).readSeq ?? 0));
    this._members.set(uniqueUsers(data.members));
    if (data.limits) this._limits.set(data.limits);
    this._typing.set([]);
    this._loadingHistory.set(false);
    this._status.set('live');
    this._attempt.set(0);
    this._nextRetryAt.set(null);
    this._notice.set(null);
    this.settlePending(data.you.id);
    this.resendPending();
  }

  /**
   * Version-2 changes of shown messages (`edited`, `deleted`, `reaction`): applied by seq; a change
   * of a message not shown is left for history to bring. True when the frame was one of them.
   */
  private onChange(frame: { event: string; data: Record<string, unknown> }): boolean {
    if (frame.event === ServerEventV2.Read) {
      const { userId, seq } = frame.data as unknown as ReadPayload;
      this._reads.update((reads) => new Map(reads).set(userId, Math.max(reads.get(userId) ?? 0, seq)));
      return true;
    }
    const change = frame.data as { seq: number; rev: number };
    let apply: ((m: MessageV2) => MessageV2) | null = null;
    if (frame.event === ServerEventV2.Edited) {
      const { text, editedAt } = frame.data as unknown as EditedPayload;
      apply = (m) => ({ ...m, text, editedAt, rev: change.rev });
    } else if (frame.event === ServerEventV2.Deleted) {
      apply = ({ reactions: _gone, ...m }) => ({ ...m, text: '', deleted: true, rev: change.rev });
    } else if (frame.event === ServerEventV2.Reaction) {
      const { emoji, userId, on } = frame.data as unknown as ReactionPayload;
      apply = (m) => {
        const reactions = { ...(m.reactions ?? {}) };
        const users = (reactions[emoji] ?? []).filter((id) => id !== userId);
        if (on) users.push(userId);
        if (users.length) reactions[emoji] = users;
        else delete reactions[emoji];
        const { reactions: _old, ...rest } = m;
        return Object.keys(reactions).length ? { ...rest, reactions, rev: change.rev } : { ...rest, rev: change.rev };
      };
    }
    if (!apply) return false;
    this.lastRev = Math.max(this.lastRev, change.rev);
    const update = apply;
    this._messages.update((list) => list.map((m) => (m.seq === change.seq ? update(m) : m)));
    return true;
  }

  private onMessage(message: Message): void {
    this.lastRev = Math.max(this.lastRev, (message as MessageV2).rev ?? 0);
    this._messages.update((list) => mergeBySeq(list, [message]));
    this.lastSeenSeq = Math.max(this.lastSeenSeq, message.seq);
    if (message.userId === this._me()?.id) {
      this._pending.update((list) => list.filter((p) => p.clientMsgId !== message.id));
    }
    this._typing.update((list) => list.filter((t) => t.user.id !== message.userId));
  }

  private onAck({ clientMsgId, seq }: ServerEventMap['ack']): void {
    const shown = this._messages().some((m) => m.seq === seq);
    this._pending.update((list) =>
      shown ? list.filter((p) => p.clientMsgId !== clientMsgId) : list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, seq } : p)),
    );
  }

  private onJoined({ user }: ServerEventMap['joined']): void {
    this._members.update((list) => uniqueUsers([...list, user]));
  }

  private onLeft({ user }: ServerEventMap['left']): void {
    this._members.update((list) => list.filter((m) => m.id !== user.id));
    this._typing.update((list) => list.filter((t) => t.user.id !== user.id));
  }

  private onTyping({ user }: ServerEventMap['typing']): void {
    if (user.id === this._me()?.id) return;
    const until = this.clock.now() + TYPING_SHOW_MS;
    this._typing.update((list) => [...list.filter((t) => t.user.id !== user.id), { user, until }]);
    this.scheduleTypingSweep();
  }

  private onHistory({ messages, hasMore }: ServerEventMap['history']): void {
    this._messages.update((list) => mergeBySeq(list, messages));
    this._hasMoreHistory.set(hasMore);
    this._loadingHistory.set(false);
  }

  private onError({ code, message }: ServerEventMap['error']): void {
    if (code === FrameErrorCode.RateLimited) {
      this._notice.set('Sending too fast: unsent messages will be retried');
      // A rejected frame is not stored: send what is unacknowledged again (the room drops duplicates).
      this.clear('resendTimer');
      this.resendTimer = this.clock.setTimeout(() => {
        this.resendTimer = null;
        this.resendPending();
      }, RATE_LIMIT_RESEND_MS);
      return;
    }
    this._notice.set(message || code);
    this._loadingHistory.set(false);
  }

  /** After a resume, drop pending messages the room already has: they came back in the welcome. */
  private settlePending(myId: string): void {
    const mine = new Set(
      this._messages()
        .filter((m) => m.userId === myId)
        .map((m) => m.id),
    );
    this._pending.update((list) => list.filter((p) => !mine.has(p.clientMsgId) && !(p.seq !== undefined && p.seq <= this.lastSeenSeq)));
  }

  private resendPending(): void {
    if (!this.socketWelcomed) return;
    for (const p of this._pending()) {
      if (p.seq === undefined) this.emit(ClientEvent.Send, { text: p.text, clientMsgId: p.clientMsgId });
    }
  }

  private scheduleTypingSweep(): void {
    if (this.typingTimer !== null) return;
    const next = Math.min(...this._typing().map((t) => t.until));
    if (!Number.isFinite(next)) return;
    this.typingTimer = this.clock.setTimeout(
      () => {
        this.typingTimer = null;
        const now = this.clock.now();
        this._typing.update((list) => list.filter((t) => t.until > now));
        this.scheduleTypingSweep();
      },
      Math.max(0, next - this.clock.now()),
    );
  }

  private clear(timer: 'retryTimer' | 'welcomeTimer' | 'typingTimer' | 'resendTimer' | 'graceTimer'): void {
    const handle = this[timer];
    if (handle !== null) this.clock.clearTimeout(handle);
    this[timer] = null;
  }

  private clearTimers(): void {
    this.clear('retryTimer');
    this.clear('welcomeTimer');
    this.clear('typingTimer');
    this.clear('resendTimer');
    this.clear('graceTimer');
  }
}

function uniqueUsers(users: readonly UserRef[]): UserRef[] {
  const byId = new Map<string, UserRef>();
  for (const u of users) byId.set(u.id, u);
  return [...byId.values()];
}
