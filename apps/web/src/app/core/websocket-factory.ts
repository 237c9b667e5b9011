import { InjectionToken } from '@angular/core';
import type { WebSocketFactory } from '@app/client';

/** Opens the room's WebSocket: the browser's own, or a fake in tests (the SDK's socket shape). */
export const WEBSOCKET_FACTORY = new InjectionToken<WebSocketFactory>('WEBSOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new WebSocket(url),
});
