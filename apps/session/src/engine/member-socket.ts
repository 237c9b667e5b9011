import type { UserRef } from '@app/shared';
import type { Corkable } from './outbox';

/** `WebSocket.OPEN`, without importing `ws` into the room logic. */
export const SOCKET_OPEN = 1;

/** The part of a `ws` WebSocket a room uses: tests pass a fake. */
export interface MemberSocket {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the OS. */
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
}

/** One connection of a user to a room. A user may hold several (tabs, devices). */
export interface RoomMember {
  readonly socket: MemberSocket;
  readonly user: UserRef;
  /** The TCP socket under `socket`, so an outbox can hold its writes (absent for fakes). */
  readonly transport?: Corkable;
}

/** Closes a socket that may be closing or closed already. */
export function closeQuietly(socket: MemberSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closing or closed
  }
}
