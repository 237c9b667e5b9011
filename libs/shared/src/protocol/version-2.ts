import type { RoomKindName } from './version-3';
import type { Message } from './payloads';

/**
 * Version-2 additions to the protocol (docs/protocol.md, "Version 2"): read markers, edits, deletions,
 * reactions, revisions, room summaries. Every field is optional here because a version-1 server sends
 * none of them; a client must work with and without them. (`moved`, `epoch` and room names live with
 * the version-1 types.)
 */

/** Version-2 events a client sends. */
export const ClientEventV2 = {
  Read: 'read',
  Edit: 'edit',
  Delete: 'delete',
  React: 'react',
} as const;
export type ClientEventV2Name = (typeof ClientEventV2)[keyof typeof ClientEventV2];

/** Version-2 events a session server sends. */
export const ServerEventV2 = {
  Read: 'read',
  Edited: 'edited',
  Deleted: 'deleted',
  Reaction: 'reaction',
} as const;
export type ServerEventV2Name = (typeof ServerEventV2)[keyof typeof ServerEventV2];

/** Version-2 `error` codes for `edit`, `delete` and `react` (a bad `read` is `invalid`). */
export const FrameErrorCodeV2 = {
  NotFound: 'not_found',
  Forbidden: 'forbidden',
  Deleted: 'deleted',
  Limit: 'limit',
} as const;
export type FrameErrorCodeV2 = (typeof FrameErrorCodeV2)[keyof typeof FrameErrorCodeV2];

/** Fields a version-2 server adds to a `Message`. */
export interface MessageV2Fields {
  /** The room's revision when this message last changed. */
  rev?: number;
  /** Epoch ms of the last edit, present once edited. */
  editedAt?: number;
  /** Present (true) once deleted; `text` is then `""`. */
  deleted?: true;
  /** Emoji → user ids in the order they reacted; present when not empty. */
  reactions?: Record<string, string[]>;
}

/** A message as a version-1 or version-2 server sends it. */
export type MessageV2 = Message & MessageV2Fields;

/** One user's read marker. */
export interface ReadMarker {
  userId: string;
  seq: number;
}

/** Fields a version-2 server adds to `welcome`. */
export interface WelcomeV2Fields {
  /** The room's name, or null. */
  name?: string | null;
  /** The room's revision now. */
  rev?: number;
  /** Your read marker in this room, 0 if none. */
  readSeq?: number;
  /** Read markers of the members connected now, you included. */
  reads?: ReadMarker[];
  /** With `since` and `rev`: messages with `seq ≤ since` changed after `rev`, current state, oldest first. */
  changed?: MessageV2[];
}

/** Client → server `read`: the marker becomes max(current, seq). */
export interface ReadRequest {
  seq: number;
}

/** Client → server `edit`: only the sender, not deleted; `text` under the rules of `send`. */
export interface EditRequest {
  seq: number;
  text: string;
}

/** Client → server `delete`: only the sender; deleting twice is not an error. */
export interface DeleteRequest {
  seq: number;
}

/** Client → server `react`: set (`on: true`) or clear one emoji of yours. */
export interface ReactRequest {
  seq: number;
  emoji: string;
  on: boolean;
}

/** Server → client `read`: another member's marker moved. */
export interface ReadPayload {
  userId: string;
  seq: number;
}

/** Server → client `edited`. */
export interface EditedPayload {
  seq: number;
  text: string;
  editedAt: number;
  rev: number;
}

/** Server → client `deleted`. */
export interface DeletedPayload {
  seq: number;
  rev: number;
}

/** Server → client `reaction`. */
export interface ReactionPayload {
  seq: number;
  emoji: string;
  userId: string;
  on: boolean;
  rev: number;
}

/** Payload type of every version-2 client → server event. */
export interface ClientEventMapV2 {
  [ClientEventV2.Read]: ReadRequest;
  [ClientEventV2.Edit]: EditRequest;
  [ClientEventV2.Delete]: DeleteRequest;
  [ClientEventV2.React]: ReactRequest;
}

/** Payload type of every version-2 server → client event. */
export interface ServerEventMapV2 {
  [ServerEventV2.Read]: ReadPayload;
  [ServerEventV2.Edited]: EditedPayload;
  [ServerEventV2.Deleted]: DeletedPayload;
  [ServerEventV2.Reaction]: ReactionPayload;
}

/** `GET /api/rooms?ids=`: one live room. */
export interface RoomSummary {
  roomId: string;
  name: string | null;
  /** The room's kind (version 3). */
  kind: RoomKindName;
  /** As last reported by the room's session server (a few seconds old at most), 0 if never. */
  lastSeq: number;
  /** Distinct users connected, as last reported. */
  online: number;
  lastActivityAt: number;
}

/** `GET /api/rooms?ids=` success (200): the live rooms among those asked, in the order asked. */
export interface RoomSummariesResponse {
  rooms: RoomSummary[];
}

/** Field a version-2 backend adds to `POST /api/rooms` (201). */
export interface CreateRoomV2Fields {
  /** The trimmed name given, or null. */
  name?: string | null;
}
