/** Where a room reports what went wrong (the server's logger; silent in unit tests). */
export interface RoomLog {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export const SILENT_ROOM_LOG: RoomLog = { warn: () => undefined, error: () => undefined };
