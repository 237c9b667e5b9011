import type { RoomKind } from '../engine/room-kind';
import type { QueuedWrite } from '../engine/write-queue';
import { chatKind } from './chat/chat-kind';

/**
 * Every kind of room this server hosts, by name: adding a kind adds its folder under `kinds/` and
 * one line here. (The board, the second kind, comes with version 3's `kind` in the session token;
 * until then every room is a chat room.)
 */
export const ROOM_KINDS = {
  chat: chatKind,
} as const satisfies Record<string, RoomKind<unknown, QueuedWrite>>;

export type RoomKindName = keyof typeof ROOM_KINDS;

/** The kind of a room whose token names none (every room, until the board comes). */
export const DEFAULT_ROOM_KIND: RoomKindName = 'chat';
