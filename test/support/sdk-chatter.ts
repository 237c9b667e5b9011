import {
  RoomConnection,
  RoomsApi,
  type BackoffPolicy,
  type ClientEnvironment,
  type ConnectionState,
  type MessageV2,
  type RoomEventMap,
  type RoomSession,
  type RoomWelcome,
  type SessionSource,
  type WelcomePayload,
} from '@app/client';

/**
 * Reconnect delays for tests: the SDK's own back-off (0.5 s doubling to 10 s) is meant for a
 * thousand real clients of a crashed server; a test's few clients would wait seconds between
 * attempts and blur the switch-over times the tests measure.
 */
export const TEST_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 1000 };

/**
 * Get-or-start through several backends in turn (each attempt asks the next one), as a client
 * behind a round-robin load balancer would: a dead or partitioned backend costs one attempt.
 */
export class RoundRobinSessions implements SessionSource {
  private readonly apis: RoomsApi[];
  private next = 0;

  constructor(backendUrls: readonly string[], accessToken: string) {
    if (backendUrls.length === 0) throw new Error('RoundRobinSessions needs at least one backend');
    // A hung backend (SIGSTOP, a partition) must cost one attempt, not the SDK's 15 s default.
    this.apis = backendUrls.map((baseUrl) => new RoomsApi({ baseUrl, token: accessToken, timeoutMs: 3000 }));
  }

  roomSession(roomId: string): Promise<RoomSession> {
    return this.apis[this.next++ % this.apis.length].roomSession(roomId);
  }
}

export interface Switch {
  from: string;
  to: string;
  /** From the last frame received on the old socket to the `welcome` on the new one: the switch-over a person sees. */
  ms: number;
  /** `moved` announced it. */
  moved: boolean;
  closeCode: number;
}

/**
 * One person in a room on the SDK's `RoomConnection` (reconnect, resume with `since` and `rev`,
 * re-send of unacknowledged messages, re-route on `moved` are the SDK's), recording what the
 * tests check: every message shown, every ack, every server, every switch-over, and every breach
 * of the protocol seen on the wire (a resume that does not continue exactly where this client
 * was, a seq skipped or delivered twice) or in what the SDK shows (a message shown twice).
 */
export class SdkChatter {
  readonly room: RoomConnection;
  /** Messages the SDK showed (`message` events), by seq. */
  readonly messages = new Map<number, MessageV2>();
  /** Seq of every acknowledged send, by clientMsgId. */
  readonly acks = new Map<string, number>();
  /** Sends without an ack yet: text by clientMsgId. */
  readonly pending = new Map<string, string>();
  /** Every clientMsgId this chatter sent. */
  readonly sent = new Set<string>();
  readonly violations: string[] = [];
  /** Server id of every welcome, in order. */
  readonly servers: string[] = [];
  readonly switches: Switch[] = [];
  /** Why each failed connection attempt failed (the SDK retries with {@link TEST_BACKOFF}). */
  readonly failedAttempts: string[] = [];
  /** Close codes of every socket that closed after its welcome. */
  readonly closeCodes: number[] = [];
  readonly states: ConnectionState[] = [];

  private sentCount = 0;
  private lastFrameAt = 0;
  private socketWelcomed = false;
  private movedSeen = false;
  private lastClose: { code: number; moved: boolean } | null = null;
  private readonly sockets = new Set<WebSocket>();
  private offline = false;

  constructor(
    readonly name: string,
    backendUrls: readonly string[],
    accessToken: string,
    readonly roomId: string,
    /** Fakes in place of the backends and sockets: for the test of this checker itself. */
    fakes?: { sessions: SessionSource; env: ClientEnvironment },
  ) {
    this.room = new RoomConnection({
      roomId,
      sessions: fakes?.sessions ?? new RoundRobinSessions(backendUrls, accessToken),
      backoff: TEST_BACKOFF,
      // The global WebSocket, as the SDK's default, opened here so that `close()` can wait for the
      // sockets and `goOffline()` can cut them.
      env: fakes?.env ?? { createWebSocket: (url) => this.open(url) },
    });
    this.room.on('frame', (frame) => this.onFrame(frame.event, frame.data));
    this.room.on('message', (m) => {
      if (this.messages.has(m.seq)) this.violations.push(`the SDK showed seq ${m.seq} twice`);
      this.messages.set(m.seq, m);
    });
    this.room.on('moved', () => {
      this.movedSeen = true;
      this.lastFrameAt = Date.now();
    });
    this.room.on('close', ({ code }) => {
      if (!this.socketWelcomed) return;
      this.socketWelcomed = false;
      this.closeCodes.push(code);
      this.lastClose = { code, moved: this.movedSeen };
      this.movedSeen = false;
    });
    this.room.on('state', (s) => {
      this.states.push(s);
      // Attempt n > 1 means attempt n - 1 failed (the count starts again at every welcome).
      if (s.status === 'reconnecting' && s.attempt > 1) this.failedAttempts.push(s.reason);
    });
  }

  /** Live on a server now. */
  get connected(): boolean {
    return this.room.isLive;
  }

  /** The highest seq seen. */
  get lastSeq(): number {
    return this.room.lastSeq;
  }

  /** Resolves with the first welcome. */
  connect(): Promise<RoomWelcome> {
    return this.room.connect();
  }

  /** Sends a new message (the SDK keeps it until its ack, across reconnects); returns its clientMsgId. */
  send(text: string): string {
    return this.post(text).clientMsgId;
  }

  /** Sends a message and waits for its ack; returns its seq. */
  say(text: string): Promise<number> {
    return this.post(text).seq;
  }

  private post(text: string): { clientMsgId: string; seq: Promise<number> } {
    const clientMsgId = `${this.name}-${++this.sentCount}`;
    this.pending.set(clientMsgId, text);
    this.sent.add(clientMsgId);
    const seq = this.room.send(text, { clientMsgId }).then(
      (ack) => {
        this.acks.set(clientMsgId, ack.seq);
        this.pending.delete(clientMsgId);
        return ack.seq;
      },
      (err: Error) => {
        this.pending.delete(clientMsgId);
        this.violations.push(`send ${clientMsgId} refused: ${err.message}`);
        throw err;
      },
    );
    // `send` callers read `acks` and `violations` instead of the promise.
    seq.catch(() => undefined);
    return { clientMsgId, seq };
  }

  /** Leaves for good and waits until its sockets are closed. */
  async close(): Promise<void> {
    this.room.close();
    // `sockets` holds only sockets not closed yet.
    await Promise.all([...this.sockets].map((ws) => new Promise<void>((resolve) => ws.addEventListener('close', () => resolve(), { once: true }))));
  }

  /**
   * The network goes away: the socket drops and no new one opens until `goOnline` (the SDK keeps
   * retrying with its back-off meanwhile), so the room goes on without this client.
   */
  goOffline(): void {
    this.offline = true;
    for (const ws of this.sockets) ws.close();
  }

  goOnline(): void {
    this.offline = false;
    this.room.retryNow();
  }

  private open(url: string): WebSocket {
    if (this.offline) throw new Error('offline (the test cut the network)');
    const ws = new WebSocket(url);
    this.sockets.add(ws);
    ws.addEventListener('close', () => this.sockets.delete(ws), { once: true });
    return ws;
  }

  /** Runs before the SDK handles the frame: `room.lastSeq` is still what this client had seen. */
  private onFrame(event: string, data: unknown): void {
    if (event === 'welcome') this.onWelcome(data as WelcomePayload);
    else if (event === 'message') {
      const m = data as MessageV2;
      if (m.seq !== this.room.lastSeq + 1) this.violations.push(`message seq ${m.seq} after ${this.room.lastSeq}`);
    }
    this.lastFrameAt = Date.now();
  }

  private onWelcome(welcome: WelcomePayload): void {
    const previous = this.servers.at(-1);
    if (previous !== undefined && this.lastClose) {
      const { code, moved } = this.lastClose;
      this.switches.push({ from: previous, to: welcome.serverId, ms: Date.now() - this.lastFrameAt, moved, closeCode: code });
    }
    this.lastClose = null;
    this.socketWelcomed = true;
    // A resume asked for everything after the seq this client had seen: it must carry exactly that.
    const since = previous === undefined ? undefined : this.room.lastSeq;
    this.servers.push(welcome.serverId);
    if (since === undefined) return;
    if (welcome.lastSeq < since) {
      this.violations.push(`stale welcome on ${welcome.serverId}: lastSeq ${welcome.lastSeq} after this client saw seq ${since}`);
    }
    const seqs = welcome.messages.map((m) => m.seq);
    const expected = Array.from({ length: Math.max(0, welcome.lastSeq - since) }, (_, i) => since + 1 + i);
    if (JSON.stringify(seqs) !== JSON.stringify(expected)) {
      this.violations.push(`welcome after since=${since} on ${welcome.serverId} carried [${seqs.join(',')}] with lastSeq ${welcome.lastSeq}`);
    }
  }
}

export interface StoredHistory {
  serverId: string;
  lastSeq: number;
  /** Every message the room keeps, oldest first. */
  messages: MessageV2[];
}

/**
 * The room as a newcomer on the SDK finds it: its welcome, then `history` pages back to seq 1, so
 * every message the room's store keeps. Gives up after `timeoutMs` (the SDK itself retries
 * get-or-start and the socket until then).
 */
export async function storedHistory(backendUrls: readonly string[], accessToken: string, roomId: string, timeoutMs = 20_000): Promise<StoredHistory> {
  const room = new RoomConnection({ roomId, sessions: new RoundRobinSessions(backendUrls, accessToken), backoff: TEST_BACKOFF });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    room.close();
  }, timeoutMs);
  try {
    const welcome = await room.connect();
    while (room.hasMoreHistory) await room.history();
    return { serverId: welcome.serverId, lastSeq: welcome.lastSeq, messages: [...room.messages] };
  } catch (err) {
    throw timedOut ? new Error(`no history of room ${roomId} within ${timeoutMs} ms (${room.state.status})`) : err;
  } finally {
    clearTimeout(timer);
    room.close();
  }
}

/** The next `event` of `room` (rejects after `timeoutMs`, naming it). */
export function nextEvent<E extends keyof RoomEventMap>(room: RoomConnection, event: E, timeoutMs = 5000): Promise<RoomEventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${String(event)}" event within ${timeoutMs} ms (state ${room.state.status})`));
    }, timeoutMs);
    const off = room.on(event, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

export interface Joined {
  chatter: SdkChatter;
  room: RoomConnection;
  welcome: RoomWelcome;
}

/**
 * `join(name, backendUrl, token, roomId)` for the tests of the enclosing describe: a live
 * SdkChatter, closed after its test (an open one's timers would keep Jest alive).
 */
export function chattersPerTest(): (name: string, backendUrl: string, accessToken: string, roomId: string) => Promise<Joined> {
  const open: SdkChatter[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  return async (name, backendUrl, accessToken, roomId) => {
    const chatter = new SdkChatter(name, [backendUrl], accessToken, roomId);
    open.push(chatter);
    const welcome = await chatter.connect();
    return { chatter, room: chatter.room, welcome };
  };
}
