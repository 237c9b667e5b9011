import type { RoomKindName } from '@app/shared';
import type { RoomKind } from '../engine/room-kind';
import type { QueuedWrite } from '../engine/write-queue';
import { boardKind } from './board/board-kind';
import { chatKind } from './chat/chat-kind';

/**
 * Every kind of room this server hosts, by the name the session token gives (`kind`; a token
 * without one is a chat room's): adding a kind adds its folder under `kinds/`, its name to
 * libs/shared's ROOM_KIND_NAMES and one line here.
 */
export const ROOM_KINDS = {
  chat: chatKind,
  board: boardKind,
} as const satisfies Record<RoomKindName, RoomKind<unknown, QueuedWrite>>;
