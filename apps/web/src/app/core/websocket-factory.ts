import { InjectionToken } from '@angular/core';

/** The part of the browser WebSocket the app uses; tests pass a fake that implements it. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => SocketLike;

/** Standard WebSocket readyState values (the fake does not need the global WebSocket). */
export const SocketState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;

export const WEBSOCKET_FACTORY = new InjectionToken<WebSocketFactory>('WEBSOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new WebSocket(url),
});
