import type { AckPayload, ClientEventMap, ClientEventMapV2, MessageV2, WelcomePayload, WelcomeV2Fields } from '@app/shared';
import type { Clock, TimerHandle, WebSocketLike } from '../environment';
import { ApiError, type RoomSession, type SessionSource } from '../rooms-api';

type ClientFrames = ClientEventMap & ClientEventMapV2;

/** A clock whose time moves only when a test says so. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Delays of the timers set now, from now. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}

/** A socket the test drives: it records what the client sends and delivers what the test says. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Array<{ event: string; data: Record<string, unknown> }> = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as { event: string; data: Record<string, unknown> });
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  /** The data of every `event` frame sent, typed by the protocol's client event map. */
  sentOf<E extends keyof ClientFrames>(event: E): Array<ClientFrames[E]> {
    return this.sent.filter((f) => f.event === event).map((f) => f.data as unknown as ClientFrames[E]);
  }

  // --- what the server does ---

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(event: string, data: object): void {
    this.onmessage?.({ data: JSON.stringify({ event, data }) });
  }

  /** Opens (when not yet) and sends a welcome. */
  welcome(partial: Partial<WelcomePayload & WelcomeV2Fields> = {}): void {
    if (this.readyState === 0) this.open();
    const messages = partial.messages ?? [];
    this.receive('welcome', {
      roomId: 'room-1',
      serverId: 's1',
      you: { id: 'u_me', name: 'Me' },
      members: [{ id: 'u_me', name: 'Me' }],
      lastSeq: messages.at(-1)?.seq ?? 0,
      limits: { maxMessageLength: 4000, maxMembers: 100, maxFrameBytes: 65536 },
      ...partial,
      messages,
    });
  }

  ack(ack: AckPayload): void {
    this.receive('ack', ack);
  }

  /** The server closes the socket. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** Records the sockets a client opens; `createWebSocket` is its factory. */
export class FakeTransport {
  readonly sockets: FakeSocket[] = [];
  readonly createWebSocket = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  get last(): FakeSocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error('no socket opened yet');
    return s;
  }
}

/** A backend whose get-or-start answers are queued by the test (default: a session on s1). */
export class FakeSessions implements SessionSource {
  calls = 0;
  private readonly queue: Array<RoomSession | ApiError> = [];

  answer(...answers: Array<Partial<RoomSession> | ApiError>): void {
    for (const a of answers) this.queue.push(a instanceof ApiError ? a : session(a));
  }

  fail(status: number, retryAfterMs: number | null = null): void {
    this.queue.push(new ApiError('POST', '/api/rooms/room-1', status, { statusCode: status, message: 'no' }, retryAfterMs));
  }

  async roomSession(roomId: string): Promise<RoomSession> {
    this.calls++;
    const next = this.queue.shift() ?? session({ roomId });
    if (next instanceof ApiError) throw next;
    return next;
  }
}

function session(p: Partial<RoomSession>): RoomSession {
  return { roomId: 'room-1', url: 'ws://s1.test/ws', token: `tok-${Math.random()}`, serverId: 's1', epoch: 1, name: null, kind: 'chat', ...p };
}

export function msg(seq: number, over: Partial<MessageV2> = {}): MessageV2 {
  return { seq, id: `id-${seq}`, userId: 'u_other', name: 'Other', text: `text ${seq}`, ts: 1000 + seq, ...over };
}

/** Lets awaited promises (get-or-start, settled sends) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
