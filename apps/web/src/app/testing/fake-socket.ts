import { SocketState, type WebSocketFactory, type WebSocketLike } from '@app/client';
import type { ClientEventMap, ClientFrame, ServerEventMap } from '@app/shared';

/** An in-memory WebSocket: the test plays the session server. */
export class FakeSocket implements WebSocketLike {
  readyState: number = SocketState.Connecting;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {}

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== SocketState.Open) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = SocketState.Closed;
  }

  sentOf<E extends keyof ClientEventMap>(event: E): ClientEventMap[E][] {
    return this.sent.filter((f) => f.event === event).map((f) => f.data as ClientEventMap[E]);
  }

  // --- the server side ---

  open(): void {
    this.readyState = SocketState.Open;
    this.onopen?.(new Event('open'));
  }

  receive<E extends keyof ServerEventMap>(event: E, data: ServerEventMap[E]): void {
    this.onmessage?.({ data: JSON.stringify({ event, data }) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = SocketState.Closed;
    this.onclose?.({ code, reason });
  }
}

/** Factory for WEBSOCKET_FACTORY that records every socket it opens. */
export class FakeSocketFactory {
  readonly sockets: FakeSocket[] = [];
  readonly create: WebSocketFactory = (url) => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket opened yet');
    return socket;
  }
}

/** Lets pending promise callbacks (the backend call before a socket opens) run. */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
