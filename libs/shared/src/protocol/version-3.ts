/**
 * Version 3, "Room kinds" (PROTOCOL.md): what a room holds, and the board's frames. Declared once
 * here; the backend, the session server and the SDK all take them from this file.
 */

/** The kinds of room a backend creates (version 3); every room of versions 1 and 2 is a chat. */
export const ROOM_KIND_NAMES = ['chat', 'board'] as const;
export type RoomKindName = (typeof ROOM_KIND_NAMES)[number];

/** The kind of a room that names none: every room created before version 3. */
export const DEFAULT_ROOM_KIND: RoomKindName = 'chat';

/** True for a kind this version knows. */
export function isRoomKindName(value: unknown): value is RoomKindName {
  return typeof value === 'string' && (ROOM_KIND_NAMES as readonly string[]).includes(value);
}

/** Events a client sends to a board (version 3). */
export const ClientEventV3 = {
  Update: 'update',
  Cursor: 'cursor',
} as const;
export type ClientEventV3Name = (typeof ClientEventV3)[keyof typeof ClientEventV3];

/** Events a session server sends to a board's members (version 3). */
export const ServerEventV3 = {
  Update: 'update',
  Cursor: 'cursor',
} as const;
export type ServerEventV3Name = (typeof ServerEventV3)[keyof typeof ServerEventV3];

/** Client → server `update` on a board: one base64 Yjs update (format version 1). */
export interface BoardUpdateRequest {
  update: string;
  clientMsgId: string;
}

/** Server → client `update` (and an item of a board welcome's `updates`): a stored update. */
export interface BoardUpdate {
  seq: number;
  update: string;
  userId: string;
}

/** Client → server `cursor`: where the sender's pointer is on the board (finite numbers). */
export interface CursorRequest {
  x: number;
  y: number;
}

/** Server → client `cursor`: another member's pointer (ephemeral, throttled, never stored). */
export interface CursorPayload extends CursorRequest {
  userId: string;
}

/** Fields a version-3 server adds to `welcome`. */
export interface WelcomeV3Fields {
  /** The room's kind (`chat` for every room of versions 1 and 2). */
  kind?: RoomKindName;
}

/**
 * A board's `welcome` carries, instead of chat's messages: `state` (the whole document as one base64
 * update) or, on a resume by `since` the server can still serve, `updates` after that seq.
 */
export interface BoardWelcomeFields {
  state?: string;
  updates?: BoardUpdate[];
}

/** Payload type of every client → server event of version 3 (a board's). */
export interface ClientEventMapV3 {
  [ClientEventV3.Update]: BoardUpdateRequest;
  [ClientEventV3.Cursor]: CursorRequest;
}

/** Payload type of every server → client event of version 3 (a board's). */
export interface ServerEventMapV3 {
  [ServerEventV3.Update]: BoardUpdate;
  [ServerEventV3.Cursor]: CursorPayload;
}
