/** WebSocket close codes a session server uses, and what a client should do on each. */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** A frame larger than `maxFrameBytes`: fix the client. */
  FrameTooLarge: 1009,
  /** The room could not be loaded from its store: get a new session and retry. */
  InternalError: 1011,
  /** Server restarting or draining, or holding its maximum of rooms: get a new session from the backend at once. */
  ServiceRestart: 1012,
  /** This client could not keep up (its send buffer passed the bound): reconnect with `since` to catch up. */
  TryAgainLater: 1013,
  /** Token invalid, expired, or for another server or room: get a new session. */
  Unauthorized: 4401,
  /** This server no longer owns the room: get a new session. */
  RoomMoved: 4404,
  /** Room full: tell the user. */
  RoomFull: 4413,
  /** Too many frames too fast, after warnings, or one socket more than a user may have in a room: back off, then reconnect. */
  RateLimited: 4429,
} as const;

/** Close reason of a 4429 for a user's socket beyond `maxSocketsPerUser` in a room (too many tabs or devices). */
export const TOO_MANY_SOCKETS_REASON = 'too many connections of this user to this room';
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client should ask the backend for a (possibly moved) session and reconnect. */
export const RECONNECTABLE_CLOSE_CODES: readonly number[] = [
  1001,
  1006,
  CloseCode.InternalError,
  CloseCode.ServiceRestart,
  CloseCode.TryAgainLater,
  CloseCode.Unauthorized,
  CloseCode.RoomMoved,
  CloseCode.RateLimited,
];
