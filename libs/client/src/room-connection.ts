import {
  ClientEvent,
  ClientEventV2,
  CloseCode,
  DEFAULT_LIMITS,
  FrameErrorCode,
  ServerEvent,
  ServerEventV2,
  checkMessageText,
  clientMsgIdProblem,
  type AckPayload,
  type ClientEventMap,
  type ClientEventMapV2,
  type ErrorPayload,
  type HistoryPayload,
  type MessageV2,
  type PresencePayload,
  type ReadMarker,
  type RoomLimits,
  type ServerEventMap,
  type ServerEventMapV2,
  type TypingPayload,
  type UserRef,
  type WelcomePayload,
  type WelcomeV2Fields,
} from '@app/shared';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff';
import { RoomClientError, TERMINAL_STATUSES, type ConnectionState } from './connection-state';
import { SocketState, resolveEnvironment, type ClientEnvironment, type ResolvedEnvironment, type TimerHandle, type WebSocketLike } from './environment';
import { MessageLog } from './message-log';
import { withOwnReactions } from './reactions';
import { ApiError, type SessionSource } from './rooms-api';
import { TypedEmitter } from './typed-emitter';

/** A `welcome` as a version-1 or version-2 server sends it, and whether it resumed an earlier one. */
export type RoomWelcome = WelcomePayload &
  WelcomeV2Fields & {
    /** True when this welcome continues an earlier one (a resume with `since`). */
    resumed: boolean;
    /** Messages of this welcome the client had not held yet (`messages` minus duplicates). */
    fresh: MessageV2[];
  };

/** Every event a {@link RoomConnection} emits, with its payload. */
export interface RoomEventMap {
  /** The connection state changed. */
  state: ConnectionState;
  /** Anything a UI reads changed (state, messages, members, pending, typing, …): re-read what you show. */
  change: void;
  welcome: RoomWelcome;
  /** A message not held before, from a welcome or live, in seq order, each seq once (history pages come as `history`). */
  message: MessageV2;
  /** A held message changed: edited, deleted, a reaction, or a `changed` entry of a resume. */
  messageChanged: MessageV2;
  ack: AckPayload;
  joined: PresencePayload;
  left: PresencePayload;
  /** Another member is typing. */
  typing: TypingPayload;
  history: HistoryPayload;
  /** A frame of this client was refused; the socket stays open. */
  error: ErrorPayload;
  /** A resume carried fewer messages than were missed: seqs between `afterSeq` and `nextSeq` are reached with `history`. */
  gap: { afterSeq: number; nextSeq: number };
  read: ServerEventMapV2['read'];
  edited: ServerEventMapV2['edited'];
  deleted: ServerEventMapV2['deleted'];
  reaction: ServerEventMapV2['reaction'];
  moved: ServerEventMap['moved'];
  /** A socket closed (a reconnect may follow, see `state`). */
  close: { code: number; reason: string };
  /** Every frame received, known or not: for logging and contract checks. */
  frame: { event: string; data: unknown };
  /** Every frame sent. */
  sent: { event: string; data: unknown };
}

export interface RoomConnectionOptions {
  roomId: string;
  /** Where sessions come from: a {@link RoomsApi} (its `roomSession`). */
  sessions: SessionSource;
  env?: ClientEnvironment;
  backoff?: BackoffPolicy;
  /** A socket that sends no `welcome` within this time is given up (default 10 s). */
  welcomeTimeoutMs?: number;
  /** After `rate_limited`, unacknowledged sends go again after this pause (default 1.5 s). */
  rateLimitResendMs?: number;
  /** Least time between two `typing` frames (default 2.5 s). */
  typingThrottleMs?: number;
  /** How long a `typing` event keeps a member in `typingUsers` (default 4 s). */
  typingShowMs?: number;
  /** In a browser, retry at once when the device comes back online (default true). */
  retryOnOnline?: boolean;
  /**
   * A move (`moved`, 1012, 4404) shows `moved` for this long; a new server that has not welcomed by
   * then turns it into `reconnecting` (default 1 s: the contract's "no reconnecting shown for a move
   * that completes within a second").
   */
  moveGraceMs?: number;
}

interface OnlineEvents {
  addEventListener?(type: 'online', listener: () => void): void;
  removeEventListener?(type: 'online', listener: () => void): void;
}

/** A message sent and not yet acknowledged. */
export interface PendingSend {
  clientMsgId: string;
  text: string;
}

/** One of your messages that is not in `messages` yet: what a UI shows as "sending". */
export interface OutgoingMessage extends PendingSend {
  /** When `send()` was called (epoch ms, the environment's clock). */
  createdAt: number;
  /** Set by the `ack`: the room stored it, and its `message` is on the way. */
  seq?: number;
}

/** The reason of the close the SDK makes itself when a socket sends no `welcome` in time. */
export const NO_WELCOME_REASON = 'no welcome in time';

interface PendingEntry extends PendingSend {
  createdAt: number;
  resolve: (ack: AckPayload) => void;
  reject: (err: RoomClientError) => void;
  /** The socket it was last written to; null when it must be sent (again) after the next welcome. */
  sentOn: WebSocketLike | null;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (err: RoomClientError) => void;
}

/** Closes after which the backend already knows where the room is now: go there at once. */
const REROUTE_CODES: ReadonlySet<number> = new Set([CloseCode.ServiceRestart, CloseCode.RoomMoved]);

type ServerFrames = ServerEventMap & ServerEventMapV2;
type ClientFrames = ClientEventMap & ClientEventMapV2;

/**
 * One room, kept connected. Every connection goes through the backend (get-or-start): the room may
 * have moved. A lost socket is followed by a reconnect with jittered exponential back-off, or at
 * once when the server said the room moved (`moved`, 1012, 4404); the new socket resumes with
 * `since` (and `rev` when the server has revisions), and messages without an `ack` are sent again
 * with their `clientMsgId`, which the room de-duplicates. Messages are held by seq, each once.
 *
 * A UI reads the getters and listens to `change` (or to the specific events).
 */
export class RoomConnection extends TypedEmitter<RoomEventMap> {
  readonly roomId: string;
  private readonly env: ResolvedEnvironment;
  private readonly sessions: SessionSource;
  private readonly backoff: BackoffPolicy;
  private readonly welcomeTimeoutMs: number;
  private readonly rateLimitResendMs: number;
  private readonly typingThrottleMs: number;
  private readonly typingShowMs: number;
  private readonly retryOnOnline: boolean;
  private readonly moveGraceMs: number;
  private readonly onOnline = () => this.retryNow();

  private _state: ConnectionState = { status: 'idle' };
  private readonly log = new MessageLog();
  private _members: UserRef[] = [];
  private _me: UserRef | null = null;
  private _serverId: string | null = null;
  private _limits: RoomLimits = {
    maxMessageLength: DEFAULT_LIMITS.maxMessageLength,
    maxMembers: DEFAULT_LIMITS.maxMembers,
    maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
  };
  private _name: string | null = null;
  private _epoch: number | null = null;
  private _readSeq = 0;
  private readonly _reads = new Map<string, number>();
  private _hasMoreHistory = false;
  private lastWelcome: RoomWelcome | null = null;
  private readonly typingUntil = new Map<string, { user: UserRef; until: number }>();

  private socket: WebSocketLike | null = null;
  private socketWelcomed = false;
  /** A get-or-start call is under way: a second one (retryNow, 'online') would open a second socket. */
  private opening = false;
  /** Bumped by `close()` so that answers for an ended connection are ignored. */
  private generation = 0;
  private everWelcomed = false;
  private lastSeenSeq = 0;
  /** The newest room revision seen; null while the server sends none (version 1). */
  private lastRev: number | null = null;
  private attempt = 0;
  private movedAnnounced = false;
  private lastTypingSentAt = -Infinity;
  private readonly pending = new Map<string, PendingEntry>();
  /** Acknowledged sends whose `message` has not arrived yet: still shown as outgoing, so they do not blink away. */
  private readonly ackedUnseen = new Map<string, OutgoingMessage & { seq: number }>();
  private historyWaiters: Waiter<HistoryPayload>[] = [];
  private connectWaiters: Waiter<RoomWelcome>[] = [];
  private retryTimer: TimerHandle | null = null;
  private welcomeTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private typingTimer: TimerHandle | null = null;
  private graceTimer: TimerHandle | null = null;

  constructor(options: RoomConnectionOptions) {
    super();
    this.roomId = options.roomId;
    this.sessions = options.sessions;
    this.env = resolveEnvironment(options.env);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.welcomeTimeoutMs = options.welcomeTimeoutMs ?? 10_000;
    this.rateLimitResendMs = options.rateLimitResendMs ?? 1500;
    this.typingThrottleMs = options.typingThrottleMs ?? 2500;
    this.typingShowMs = options.typingShowMs ?? 4000;
    this.retryOnOnline = options.retryOnOnline ?? true;
    this.moveGraceMs = options.moveGraceMs ?? 1000;
  }

  // --- what a UI reads -----------------------------------------------------------------------------

  /** `idle` until `connect()`, then one of {@link ConnectionState}. */
  get state(): ConnectionState {
    return this._state;
  }

  get isLive(): boolean {
    return this._state.status === 'live';
  }

  /** Held messages, oldest first, each seq once (a new array after every change). */
  get messages(): readonly MessageV2[] {
    return this.log.messages;
  }

  /** Distinct users connected now, you included. */
  get members(): readonly UserRef[] {
    return this._members;
  }

  /** You, as the last welcome named you. */
  get me(): UserRef | null {
    return this._me;
  }

  get serverId(): string | null {
    return this._serverId;
  }

  get limits(): RoomLimits {
    return this._limits;
  }

  /** The highest seq seen: what the next resume asks to continue from. */
  get lastSeq(): number {
    return this.lastSeenSeq;
  }

  /** The newest room revision seen (version 2), or null. */
  get rev(): number | null {
    return this.lastRev;
  }

  /** The room's name (version 2), or null. */
  get name(): string | null {
    return this._name;
  }

  /** The placement epoch of the last welcome (version 2), or null. */
  get epoch(): number | null {
    return this._epoch;
  }

  /** Your read marker (version 2). */
  get readSeq(): number {
    return this._readSeq;
  }

  /** Read markers by user id (version 2). */
  get reads(): ReadonlyMap<string, number> {
    return this._reads;
  }

  /** Sends not yet acknowledged, oldest first. */
  get pendingSends(): PendingSend[] {
    return [...this.pending.values()].map(({ clientMsgId, text }) => ({ clientMsgId, text }));
  }

  /**
   * Your messages not in `messages` yet, oldest first: the unacknowledged ones, and acknowledged ones
   * whose `message` is still on the way (with their `seq`).
   */
  get outgoing(): OutgoingMessage[] {
    const waiting = [...this.pending.values()].map(({ clientMsgId, text, createdAt }) => ({ clientMsgId, text, createdAt }));
    return [...this.ackedUnseen.values(), ...waiting];
  }

  /** Other members typing now. */
  get typingUsers(): UserRef[] {
    const now = this.env.clock.now();
    return [...this.typingUntil.values()].filter((t) => t.until > now).map((t) => t.user);
  }

  /** True while older messages than the oldest held exist. */
  get hasMoreHistory(): boolean {
    return this._hasMoreHistory;
  }

  // --- what a UI does ------------------------------------------------------------------------------

  /**
   * Starts connecting (a no-op when already started); resolves with the first `welcome`, rejects
   * when the room ends first (`not_found`, `full`, `closed`). Reconnects happen by themselves after.
   */
  connect(): Promise<RoomWelcome> {
    const promise = new Promise<RoomWelcome>((resolve, reject) => {
      if (this.isTerminal()) return reject(this.terminalError());
      if (this.socketWelcomed && this.lastWelcome) return resolve(this.lastWelcome);
      this.connectWaiters.push({ resolve, reject });
    });
    if (this._state.status === 'idle') {
      if (this.retryOnOnline) (globalThis as OnlineEvents).addEventListener?.('online', this.onOnline);
      this.setState({ status: 'connecting' });
      void this.openSession(this.generation);
    }
    return promise;
  }

  /**
   * Sends a message; resolves with its `ack` (its seq). While the socket is down it waits and goes
   * after the next `welcome`, with the same `clientMsgId`, which the room de-duplicates. Rejects
   * when the text breaks the rules, when the server refuses the frame, or when the room ends.
   */
  send(text: string, options: { clientMsgId?: string } = {}): Promise<AckPayload> {
    if (this.isTerminal()) return Promise.reject(this.terminalError());
    const check = checkMessageText(text, this._limits.maxMessageLength);
    if (!check.ok) return Promise.reject(new RoomClientError(check.tooLong ? FrameErrorCode.TooLong : FrameErrorCode.Invalid, check.reason));
    const clientMsgId = options.clientMsgId ?? this.env.randomId();
    const problem = clientMsgIdProblem(clientMsgId);
    if (problem) return Promise.reject(new RoomClientError(FrameErrorCode.Invalid, problem));
    if (this.pending.has(clientMsgId))
      return Promise.reject(new RoomClientError(FrameErrorCode.Invalid, `clientMsgId ${clientMsgId} is already waiting for its ack`));
    // A frame over the limit closes the socket (1009), and re-sending it would do so again forever.
    if (utf8Length(JSON.stringify({ event: ClientEvent.Send, data: { text, clientMsgId } })) > this._limits.maxFrameBytes) {
      return Promise.reject(new RoomClientError(FrameErrorCode.TooLong, `message larger than ${this._limits.maxFrameBytes} bytes`));
    }
    return new Promise<AckPayload>((resolve, reject) => {
      const entry: PendingEntry = { clientMsgId, text, createdAt: this.env.clock.now(), resolve, reject, sentOn: null };
      this.pending.set(clientMsgId, entry);
      this.transmitSend(entry);
      this.emit('change', undefined);
    });
  }

  /** Tells the others you are typing; at most one frame per `typingThrottleMs`. */
  typing(): boolean {
    if (!this.socketWelcomed) return false;
    const now = this.env.clock.now();
    if (now - this.lastTypingSentAt < this.typingThrottleMs) return false;
    this.lastTypingSentAt = now;
    return this.transmit(ClientEvent.Typing, {});
  }

  /** Asks for older messages (default: the page before the oldest held); they are added to `messages`. */
  history(options: { before?: number; limit?: number } = {}): Promise<HistoryPayload> {
    if (!this.socketWelcomed) return Promise.reject(new RoomClientError('not_live', 'not connected to the room'));
    const before = options.before ?? this.log.oldestSeq ?? this.lastSeenSeq + 1;
    if (before <= 1) return Promise.resolve({ messages: [], hasMore: false });
    return new Promise<HistoryPayload>((resolve, reject) => {
      this.historyWaiters.push({ resolve, reject });
      this.transmit(ClientEvent.History, options.limit === undefined ? { before } : { before, limit: options.limit });
    });
  }

  /**
   * Version 2: moves your read marker to `seq`. Only a higher marker goes out (the room keeps the
   * maximum anyway); `readSeq` follows at once. Returns whether the frame went out.
   */
  read(seq: number): boolean {
    if (seq <= this._readSeq || !this.socketWelcomed || !this.transmit(ClientEventV2.Read, { seq })) return false;
    this._readSeq = seq;
    this.emit('change', undefined);
    return true;
  }

  /** Version 2: replaces the text of one of your messages. */
  edit(seq: number, text: string): boolean {
    return this.socketWelcomed && this.transmit(ClientEventV2.Edit, { seq, text });
  }

  /** Version 2: deletes one of your messages. */
  delete(seq: number): boolean {
    return this.socketWelcomed && this.transmit(ClientEventV2.Delete, { seq });
  }

  /** Version 2: sets or clears your reaction `emoji` on a message. */
  react(seq: number, emoji: string, on = true): boolean {
    return this.socketWelcomed && this.transmit(ClientEventV2.React, { seq, emoji, on });
  }

  /** Skips the back-off wait (a "retry now" button, the device back online). */
  retryNow(): void {
    if (this._state.status !== 'reconnecting' || this.socket || this.opening) return;
    this.clearTimer('retryTimer');
    void this.openSession(this.generation);
  }

  /** Leaves the room for good: the socket closes, waiting sends and requests are rejected. */
  close(): void {
    this.finish({ status: 'closed', reason: 'closed by the client' });
  }

  // --- sessions and sockets ------------------------------------------------------------------------

  private async openSession(generation: number): Promise<void> {
    let session;
    this.opening = true;
    try {
      session = await this.sessions.roomSession(this.roomId);
    } catch (err) {
      if (generation !== this.generation) return;
      this.opening = false;
      // Any error with an HTTP `status` counts, so a host's own API client can be the session source.
      const { status, retryAfterMs } = err as { status?: unknown; retryAfterMs?: unknown };
      const reason = err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err);
      // 400: an id that cannot name a room; 404: unknown or expired. Retrying helps neither.
      if (status === 404 || status === 400) return this.finish({ status: 'not_found' });
      if (status === 401) return this.finish({ status: 'closed', reason: 'unauthorized' });
      if (status === 409) return this.finish({ status: 'full' });
      return this.scheduleReconnect(reason, false, typeof retryAfterMs === 'number' ? retryAfterMs : 0);
    }
    if (generation !== this.generation) return;
    this.opening = false;
    if (session.name !== undefined) this._name = session.name;

    const url = new URL(session.url);
    url.searchParams.set('token', session.token);
    if (this.everWelcomed) {
      url.searchParams.set('since', String(this.lastSeenSeq));
      if (this.lastRev !== null) url.searchParams.set('rev', String(this.lastRev));
    }
    let socket: WebSocketLike;
    try {
      socket = this.env.createWebSocket(url.toString());
    } catch (err) {
      return this.scheduleReconnect(err instanceof Error ? err.message : 'cannot open the socket');
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
    this.welcomeTimer = this.env.clock.setTimeout(() => {
      this.welcomeTimer = null;
      if (this.socket !== socket || this.socketWelcomed) return;
      this.dropSocket('no welcome');
      this.handleClose(4000, NO_WELCOME_REASON);
    }, this.welcomeTimeoutMs);
  }

  private handleClose(code: number, reason: string): void {
    this.clearTimer('welcomeTimer');
    this.clearTimer('graceTimer');
    this.clearTimer('resendTimer');
    this.typingUntil.clear();
    for (const entry of this.pending.values()) entry.sentOn = null;
    this.rejectAll(this.historyWaiters, new RoomClientError('connection_lost', 'the connection was lost before the answer'));
    this.historyWaiters = [];
    this.emit('close', { code, reason });
    if (code === CloseCode.RoomFull) return this.finish({ status: 'full' });
    const reroute = REROUTE_CODES.has(code) || this.movedAnnounced;
    // 4401: the usual cause is a token that expired before use; a fresh session fixes it at once.
    const immediate = reroute || code === CloseCode.Unauthorized;
    this.scheduleReconnect(reason || `closed with ${code}`, immediate, 0, reroute);
  }

  private scheduleReconnect(reason: string, immediate = false, minDelayMs = 0, reroute = false): void {
    this.clearTimer('retryTimer');
    this.clearTimer('graceTimer');
    this.attempt++;
    this.movedAnnounced = false;
    if (immediate && this.attempt === 1) {
      const now = this.env.clock.now();
      const stalled: ConnectionState = { status: 'reconnecting', attempt: 1, delayMs: 0, nextRetryAt: now, reason };
      this.setState(reroute ? { status: 'moved' } : stalled);
      if (reroute) {
        this.graceTimer = this.env.clock.setTimeout(() => {
          this.graceTimer = null;
          if (this._state.status === 'moved') this.setState(stalled);
        }, this.moveGraceMs);
      }
      void this.openSession(this.generation);
      return;
    }
    const delayMs = Math.max(minDelayMs, backoffDelay(this.attempt, this.env.random(), this.backoff));
    this.setState({ status: 'reconnecting', attempt: this.attempt, delayMs, nextRetryAt: this.env.clock.now() + delayMs, reason });
    const generation = this.generation;
    this.retryTimer = this.env.clock.setTimeout(() => {
      this.retryTimer = null;
      if (generation === this.generation) void this.openSession(generation);
    }, delayMs);
  }

  /** Ends the connection in a terminal state. */
  private finish(state: ConnectionState): void {
    if (this.isTerminal()) return;
    this.generation++;
    this.opening = false;
    (globalThis as OnlineEvents).removeEventListener?.('online', this.onOnline);
    this.clearTimer('retryTimer');
    this.clearTimer('welcomeTimer');
    this.clearTimer('resendTimer');
    this.clearTimer('typingTimer');
    this.clearTimer('graceTimer');
    this.dropSocket(state.status);
    this.setState(state);
    const error = this.terminalError();
    this.rejectAll([...this.pending.values()], error);
    this.pending.clear();
    this.ackedUnseen.clear();
    this.rejectAll(this.historyWaiters, error);
    this.historyWaiters = [];
    this.rejectAll(this.connectWaiters, error);
    this.connectWaiters = [];
    this.emit('change', undefined);
  }

  private dropSocket(reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.socketWelcomed = false;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (socket.readyState === SocketState.Connecting || socket.readyState === SocketState.Open) socket.close(CloseCode.Normal, reason);
  }

  private transmit<E extends keyof ClientFrames>(event: E, data: ClientFrames[E]): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== SocketState.Open) return false;
    socket.send(JSON.stringify({ event, data }));
    this.emit('sent', { event, data });
    return true;
  }

  private transmitSend(entry: PendingEntry): void {
    if (!this.socketWelcomed) return;
    if (this.transmit(ClientEvent.Send, { text: entry.text, clientMsgId: entry.clientMsgId })) entry.sentOn = this.socket;
  }

  private resendPending(): void {
    for (const entry of this.pending.values()) this.transmitSend(entry);
  }

  // --- server frames -------------------------------------------------------------------------------

  private handleFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: { event?: unknown; data?: unknown };
    try {
      frame = JSON.parse(raw) as { event?: unknown; data?: unknown };
    } catch {
      return;
    }
    if (typeof frame.event !== 'string' || typeof frame.data !== 'object' || frame.data === null) return;
    this.emit('frame', { event: frame.event, data: frame.data });
    // Unknown events are ignored, as the contract asks: later versions add some. Only the table's
    // own keys are events: `__proto__` or `toString` must not find Object.prototype's members.
    if (!Object.hasOwn(this.handlers, frame.event)) return;
    const handler = this.handlers[frame.event as keyof ServerFrames] as (data: unknown) => void;
    handler(frame.data);
    this.emit('change', undefined);
  }

  private readonly handlers: { [E in keyof ServerFrames]: (data: ServerFrames[E]) => void } = {
    [ServerEvent.Welcome]: (d) => this.onWelcome(d),
    [ServerEvent.Message]: (d) => this.onMessage(d),
    [ServerEvent.Ack]: (d) => this.onAck(d),
    [ServerEvent.Joined]: (d) => {
      this._members = uniqueUsers([...this._members, d.user]);
      this.emit('joined', d);
    },
    [ServerEvent.Left]: (d) => {
      this._members = this._members.filter((m) => m.id !== d.user.id);
      this.typingUntil.delete(d.user.id);
      this.emit('left', d);
    },
    [ServerEvent.Typing]: (d) => this.onTyping(d),
    [ServerEvent.History]: (d) => this.onHistory(d),
    [ServerEvent.Error]: (d) => this.onError(d),
    [ServerEventV2.Read]: (d) => {
      this._reads.set(d.userId, Math.max(this._reads.get(d.userId) ?? 0, d.seq));
      this.emit('read', d);
    },
    [ServerEventV2.Edited]: (d) => this.onChange('edited', d, this.log.applyEdit(d)),
    [ServerEventV2.Deleted]: (d) => this.onChange('deleted', d, this.log.applyDelete(d)),
    [ServerEventV2.Reaction]: (d) => this.onChange('reaction', d, this.log.applyReaction(d)),
    [ServerEvent.Moved]: (d) => {
      // The room lives elsewhere now: go at once, without waiting for the server's 1012 close handshake.
      this.emit('moved', d);
      this.movedAnnounced = true;
      this.dropSocket('room moved');
      this.handleClose(CloseCode.ServiceRestart, 'room moved');
    },
  };

  private onWelcome(data: WelcomePayload & WelcomeV2Fields): void {
    this.clearTimer('welcomeTimer');
    this.clearTimer('graceTimer');
    const resumed = this.everWelcomed;
    const incoming: MessageV2[] = (data.messages ?? []).map(withOwnReactions);
    if (resumed && data.lastSeq < this.lastSeenSeq) {
      // The room's history restarted (a store that does not survive a move, e.g. ROOM_STORE=memory):
      // what we hold belongs to a timeline that is gone.
      this.log.clear();
      this.lastSeenSeq = 0;
      this._hasMoreHistory = data.lastSeq > 0;
    }
    const first = incoming[0]?.seq;
    if (!resumed) this._hasMoreHistory = first !== undefined && first > 1;
    else if (first !== undefined && first > this.lastSeenSeq + 1) {
      this._hasMoreHistory = true;
      this.emit('gap', { afterSeq: this.lastSeenSeq, nextSeq: first });
    }
    const fresh = this.log.add(incoming);
    const changed = (data.changed ?? []).map((m) => this.log.replace(m));
    for (const m of changed) this.emit('messageChanged', m);
    this.lastSeenSeq = Math.max(this.lastSeenSeq, data.lastSeq, this.log.newestSeq);
    if (typeof data.rev === 'number') this.lastRev = data.rev;
    if (data.name !== undefined) this._name = data.name;
    if (typeof data.epoch === 'number') this._epoch = data.epoch;
    if (typeof data.readSeq === 'number') this._readSeq = data.readSeq;
    for (const r of data.reads ?? ([] as ReadMarker[])) this._reads.set(r.userId, r.seq);
    this._me = data.you;
    this._serverId = data.serverId;
    this._members = uniqueUsers(data.members ?? []);
    if (data.limits) this._limits = data.limits;
    this.typingUntil.clear();
    this.everWelcomed = true;
    this.socketWelcomed = true;
    this.attempt = 0;
    this.movedAnnounced = false;
    this.setState({ status: 'live', serverId: data.serverId });
    const welcome: RoomWelcome = { ...data, messages: incoming, ...(data.changed ? { changed } : {}), resumed, fresh };
    this.lastWelcome = welcome;
    this.emit('welcome', welcome);
    for (const m of fresh) this.emit('message', m);
    // Our messages stored before the loss come back in the welcome: they count as acknowledged.
    for (const m of fresh) if (m.userId === data.you.id) this.settle(m.id, m.seq);
    // An acked message older than what this welcome starts from is reached through history, not shown as outgoing.
    for (const [id, o] of this.ackedUnseen) if (this.log.has(o.seq) || o.seq <= this.lastSeenSeq) this.ackedUnseen.delete(id);
    this.resendPending();
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) w.resolve(welcome);
  }

  private onMessage(incoming: MessageV2): void {
    const m = withOwnReactions(incoming);
    if (typeof m.rev === 'number' && this.lastRev !== null) this.lastRev = Math.max(this.lastRev, m.rev);
    this.typingUntil.delete(m.userId);
    const fresh = this.log.add([m]);
    if (m.userId === this._me?.id) this.ackedUnseen.delete(m.id);
    if (fresh.length === 0) return;
    this.lastSeenSeq = Math.max(this.lastSeenSeq, m.seq);
    this.emit('message', m);
    // A `message` means the store has it: as good as its ack, which may be lost with the socket.
    if (m.userId === this._me?.id) this.settle(m.id, m.seq);
  }

  private onAck(ack: AckPayload): void {
    this.settle(ack.clientMsgId, ack.seq);
    this.emit('ack', ack);
  }

  private settle(clientMsgId: string, seq: number): void {
    const entry = this.pending.get(clientMsgId);
    if (!entry) return;
    this.pending.delete(clientMsgId);
    if (!this.log.has(seq)) this.ackedUnseen.set(clientMsgId, { clientMsgId, text: entry.text, createdAt: entry.createdAt, seq });
    entry.resolve({ clientMsgId, seq });
  }

  private onTyping(d: TypingPayload): void {
    if (d.user.id === this._me?.id) return;
    this.typingUntil.set(d.user.id, { user: d.user, until: this.env.clock.now() + this.typingShowMs });
    this.emit('typing', d);
    if (this.typingTimer === null) {
      // One timer tells the UI when the "typing" list shrinks again.
      const sweep = () => {
        this.typingTimer = null;
        const now = this.env.clock.now();
        for (const [id, t] of this.typingUntil) if (t.until <= now) this.typingUntil.delete(id);
        this.emit('change', undefined);
        const next = Math.min(...[...this.typingUntil.values()].map((t) => t.until));
        if (Number.isFinite(next)) this.typingTimer = this.env.clock.setTimeout(sweep, Math.max(0, next - now));
      };
      this.typingTimer = this.env.clock.setTimeout(sweep, this.typingShowMs);
    }
  }

  private onHistory(page: HistoryPayload): void {
    const d: HistoryPayload = { ...page, messages: page.messages.map(withOwnReactions) };
    this.log.add(d.messages);
    const oldestAsked = this.log.oldestSeq;
    if (oldestAsked === null || d.messages.length === 0 || d.messages[0].seq <= oldestAsked) this._hasMoreHistory = d.hasMore;
    this.historyWaiters.shift()?.resolve(d);
    this.emit('history', d);
  }

  private onError(e: ErrorPayload): void {
    this.emit('error', e);
    if (e.code === FrameErrorCode.RateLimited) {
      // A refused frame is not stored: send the unacknowledged ones again after a pause (the room drops duplicates).
      this.clearTimer('resendTimer');
      this.resendTimer = this.env.clock.setTimeout(() => {
        this.resendTimer = null;
        this.resendPending();
      }, this.rateLimitResendMs);
      return;
    }
    if (e.code !== FrameErrorCode.TooLong && e.code !== FrameErrorCode.Invalid) return;
    // The error names no frame: blame a send only when it is the one frame that can be meant.
    const inFlight = [...this.pending.values()].filter((p) => p.sentOn !== null && p.sentOn === this.socket);
    if (inFlight.length === 1 && (e.code === FrameErrorCode.TooLong || this.historyWaiters.length === 0)) {
      this.pending.delete(inFlight[0].clientMsgId);
      inFlight[0].reject(new RoomClientError(e.code, e.message));
    } else if (e.code === FrameErrorCode.Invalid && inFlight.length === 0 && this.historyWaiters.length === 1) {
      this.historyWaiters.shift()!.reject(new RoomClientError(e.code, e.message));
    }
  }

  private onChange<E extends 'edited' | 'deleted' | 'reaction'>(event: E, payload: RoomEventMap[E], changed: MessageV2 | undefined): void {
    if (this.lastRev !== null) this.lastRev = Math.max(this.lastRev, payload.rev);
    this.emit(event, payload);
    if (changed) this.emit('messageChanged', changed);
  }

  // --- small things --------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    this._state = state;
    this.emit('state', state);
    this.emit('change', undefined);
  }

  private isTerminal(): boolean {
    return TERMINAL_STATUSES.has(this._state.status);
  }

  private terminalError(): RoomClientError {
    const s = this._state;
    if (s.status === 'not_found') return new RoomClientError('not_found', `room ${this.roomId} does not exist or expired`);
    if (s.status === 'full') return new RoomClientError('full', `room ${this.roomId} is full`);
    return new RoomClientError('closed', s.status === 'closed' ? s.reason : 'the room connection is closed');
  }

  private rejectAll(waiters: readonly { reject: (err: RoomClientError) => void }[], error: RoomClientError): void {
    for (const w of waiters) w.reject(error);
  }

  private clearTimer(timer: 'retryTimer' | 'welcomeTimer' | 'resendTimer' | 'typingTimer' | 'graceTimer'): void {
    const handle = this[timer];
    if (handle !== null) this.env.clock.clearTimeout(handle);
    this[timer] = null;
  }
}

/** Bytes of `text` in UTF-8 (what a frame costs on the wire). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function uniqueUsers(users: readonly UserRef[]): UserRef[] {
  const byId = new Map<string, UserRef>();
  for (const u of users) byId.set(u.id, u);
  return [...byId.values()];
}
