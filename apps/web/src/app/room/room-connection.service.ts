import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import {
  CloseCode,
  DEFAULT_LIMITS,
  FrameErrorCode,
  NO_WELCOME_REASON,
  RoomConnection as SdkRoomConnection,
  TOO_MANY_SOCKETS_REASON,
  type ConnectionState,
  type MessageV2,
  type OutgoingMessage,
  type RoomLimits,
  type UserRef,
} from '@app/client';
import { ApiClient } from '../core/api-client.service';
import { CLOCK } from '../core/clock';
import { WEBSOCKET_FACTORY } from '../core/websocket-factory';

export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'not-found' | 'full' | 'unauthorized';

/** One of my messages the room has not shown back yet (`seq` once acked). */
export type PendingMessage = OutgoingMessage;

export const HISTORY_PAGE = 50;

const TERMINAL: ReadonlySet<ConnectionStatus> = new Set(['not-found', 'full', 'unauthorized']);

/**
 * The one live room of this tab, as signals: a thin adapter over the SDK's `RoomConnection`
 * (libs/client), which does the protocol: get-or-start through the backend, reconnect with back-off,
 * resume with since/rev, re-send of unacknowledged messages, re-route on a move. This class only
 * turns the SDK's state into what the components read, and the SDK's reasons into words for people.
 * Sessions come from {@link ApiClient}, so Angular's interceptors (token, 401 → login) still apply.
 */
@Injectable({ providedIn: 'root' })
export class RoomConnection {
  private readonly sessions = inject(ApiClient);
  private readonly clock = inject(CLOCK);
  private readonly createWebSocket = inject(WEBSOCKET_FACTORY);

  private readonly _status = signal<ConnectionStatus>('idle');
  private readonly _attempt = signal(0);
  private readonly _nextRetryAt = signal<number | null>(null);
  private readonly _roomId = signal<string | null>(null);
  private readonly _serverId = signal<string | null>(null);
  private readonly _roomName = signal<string | null>(null);
  private readonly _readSeq = signal(0);
  private readonly _reads = signal<ReadonlyMap<string, number>>(new Map(), { equal: sameEntries });
  private readonly _me = signal<UserRef | null>(null);
  private readonly _members = signal<readonly UserRef[]>([]);
  private readonly _messages = signal<readonly MessageV2[]>([]);
  private readonly _pending = signal<readonly PendingMessage[]>([], { equal: samePending });
  private readonly _typingUsers = signal<readonly UserRef[]>([], { equal: sameUsers });
  private readonly _hasMoreHistory = signal(false);
  private readonly _loadingHistory = signal(false);
  private readonly _notice = signal<string | null>(null);
  private readonly _limits = signal<RoomLimits>({ ...DEFAULT_LIMITS });

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
  readonly typingUsers = this._typingUsers.asReadonly();
  readonly hasMoreHistory = this._hasMoreHistory.asReadonly();
  readonly loadingHistory = this._loadingHistory.asReadonly();
  /** Last problem worth telling the user (a failed attempt, a rejected frame). */
  readonly notice = this._notice.asReadonly();
  readonly limits = this._limits.asReadonly();
  readonly isLive = computed(() => this._status() === 'live');
  readonly isClosedForGood = computed(() => TERMINAL.has(this._status()));

  private room: SdkRoomConnection | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Words for the close that a coming `reconnecting` follows: the SDK's reason is for logs. */
  private closeNotice: string | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.leave());
  }

  /** Joins `roomId` (leaving any other room); a no-op when already in it. */
  connect(roomId: string): void {
    if (this.room?.roomId === roomId) return;
    this.leave();
    const room = new SdkRoomConnection({
      roomId,
      sessions: this.sessions,
      env: { clock: this.clock, createWebSocket: this.createWebSocket, random: () => this.clock.random() },
    });
    this.room = room;
    this._roomId.set(roomId);
    this.unsubscribe = [
      room.on('close', ({ code, reason }) => (this.closeNotice = closeNotice(code, reason))),
      room.on('state', (state) => this.onState(state)),
      room.on('error', ({ code, message }) => {
        if (code === FrameErrorCode.RateLimited) this._notice.set('Sending too fast: unsent messages will be retried');
        else this._notice.set(message || code);
      }),
      room.on('change', () => this.sync(room)),
    ];
    // Its rejection is the terminal state, which `state` already shows.
    room.connect().catch(() => undefined);
  }

  /** Closes the socket and forgets the room. */
  leave(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.room?.close();
    this.room = null;
    this.closeNotice = null;
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
    this._typingUsers.set([]);
    this._hasMoreHistory.set(false);
    this._loadingHistory.set(false);
    this._notice.set(null);
  }

  /** Skips the back-off wait: the "retry now" button (the SDK also does it when the browser is back online). */
  retryNow(): void {
    this.room?.retryNow();
  }

  /**
   * Queues a message: shown as pending at once, sent now when live, or after the next `welcome`.
   * A refusal (text rules, the room gone) becomes the notice.
   */
  send(text: string): void {
    if (this.isClosedForGood()) return;
    this.room?.send(text).catch((error: unknown) => this._notice.set(error instanceof Error ? error.message : String(error)));
  }

  /** Call on every keystroke: the SDK lets at most one `typing` frame per 2.5 s go out. */
  notifyTyping(): void {
    this.room?.typing();
  }

  /** Asks for the page of messages before the oldest one shown. */
  loadOlder(): void {
    const room = this.room;
    if (!room || this._status() !== 'live' || this._loadingHistory() || !this._hasMoreHistory()) return;
    this._loadingHistory.set(true);
    room
      .history({ limit: HISTORY_PAGE })
      .catch(() => undefined)
      .finally(() => {
        if (this.room === room) this._loadingHistory.set(false);
      });
  }

  /** Replaces the text of one of my messages (version 2 `edit`); `edited` comes back to everyone. */
  editMessage(seq: number, text: string): boolean {
    return this.room?.edit(seq, text) ?? false;
  }

  /** Deletes one of my messages (version 2 `delete`). */
  deleteMessage(seq: number): boolean {
    return this.room?.delete(seq) ?? false;
  }

  /** Sets or clears my reaction on a message (version 2 `react`). */
  react(seq: number, emoji: string, on: boolean): boolean {
    return this.room?.react(seq, emoji, on) ?? false;
  }

  /** Raises my read marker to `seq` when higher (version 2 `read`); the caller paces it (at most once a second). */
  markRead(seq: number): void {
    this.room?.read(seq);
  }

  private onState(state: ConnectionState): void {
    this._status.update((shown) => shownStatus(state, shown));
    // The SDK follows a move at once only as its first attempt after a loss.
    this._attempt.set(state.status === 'reconnecting' ? state.attempt : state.status === 'moved' ? 1 : 0);
    this._nextRetryAt.set(state.status === 'reconnecting' ? state.nextRetryAt : null);
    switch (state.status) {
      case 'live':
        this.closeNotice = null;
        this._notice.set(null);
        break;
      case 'reconnecting':
        this._notice.set(this.closeNotice ?? state.reason);
        this.closeNotice = null;
        break;
      case 'full':
        this._notice.set('This room is full');
        break;
      case 'not_found':
        this._notice.set('Room not found or expired');
        break;
      case 'closed':
        this._notice.set(state.reason === 'unauthorized' ? 'Your session ended: please log in again' : null);
        break;
    }
  }

  private sync(room: SdkRoomConnection): void {
    if (this.room !== room) return;
    this._serverId.set(room.serverId);
    this._roomName.set(room.name);
    this._readSeq.set(room.readSeq);
    this._reads.set(new Map(room.reads));
    this._me.set(room.me);
    this._members.set(room.members);
    this._messages.set(room.messages);
    this._pending.set(room.outgoing);
    this._typingUsers.set(room.typingUsers);
    this._hasMoreHistory.set(room.hasMoreHistory);
    this._limits.set(room.limits);
    if (room.state.status !== 'live') this._loadingHistory.set(false);
  }
}

/**
 * What the banner shows for the SDK's state. A move of a live room keeps showing Live (the SDK turns
 * it into `reconnecting` itself when the new server takes longer than a second); one that interrupts
 * a connection not yet welcomed is a retry like any other.
 */
function shownStatus(state: ConnectionState, shown: ConnectionStatus): ConnectionStatus {
  switch (state.status) {
    case 'moved':
      return shown === 'live' ? 'live' : 'reconnecting';
    case 'not_found':
      return 'not-found';
    case 'closed':
      return state.reason === 'unauthorized' ? 'unauthorized' : 'idle';
    default:
      return state.status;
  }
}

function closeNotice(code: number, reason: string): string {
  if (code === CloseCode.RateLimited) {
    return reason === TOO_MANY_SOCKETS_REASON ? 'This room is open in too many of your tabs or devices: close one' : 'Too many messages too fast';
  }
  if (code === CloseCode.FrameTooLarge) return 'A message was too large';
  if (code === CloseCode.ServiceRestart || code === CloseCode.RoomMoved) return 'The room is moving to another server';
  if (reason === NO_WELCOME_REASON) return 'The room server did not answer in time';
  return 'Connection lost';
}

function sameEntries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function samePending(a: readonly PendingMessage[], b: readonly PendingMessage[]): boolean {
  return a.length === b.length && a.every((p, i) => p.clientMsgId === b[i].clientMsgId && p.seq === b[i].seq);
}

function sameUsers(a: readonly UserRef[], b: readonly UserRef[]): boolean {
  return a.length === b.length && a.every((u, i) => u.id === b[i].id);
}
