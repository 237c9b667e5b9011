import { ClientEventV3, FrameErrorCode, ServerEvent, ServerEventV3, type BoardUpdate } from '@app/shared';
import * as Y from 'yjs';
import type { RoomMember } from '../../engine/member-socket';
import { ackKnown, ackStored } from '../../engine/acks';
import type { FrameHandler, RoomKind } from '../../engine/room-kind';
import { encodeFrame, type BoardWelcomeFrameData } from '../../protocol/server-frame';
import { BOARD_LOAD_LIMIT, BoardState, CURSOR_THROTTLE_MS, type PendingUpdate } from './board-state';

/** The payloads of the frames a board takes (checked by the gateway: base64, size, finite numbers). */
export interface BoardPayloads {
  update: { update: string; clientMsgId: string };
  cursor: { x: number; y: number };
}

function accepting(state: BoardState, member: RoomMember): boolean {
  return state.room.isOpen && state.room.isMember(member);
}

/**
 * Takes one Yjs update: refused (`invalid`) unless it decodes as a Yjs update (format version 1),
 * so the document is never touched by one that does not. Stored as a message (text: the base64
 * update, id: the clientMsgId) through the engine's write queue, so the epoch fence, group commit,
 * seq and de-duplication are the store's own; applied to the document once stored, so the document
 * is always exactly the stored updates in seq order. A clientMsgId seen already is acked again.
 */
function update(state: BoardState, member: RoomMember, { update: base64, clientMsgId }: BoardPayloads['update']): void {
  if (!accepting(state, member)) return;
  const { room } = state;
  if (ackKnown(room, member, clientMsgId, state.seqOfId.get(clientMsgId), state.pending.get(clientMsgId))) return;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > room.limits.maxFrameBytes) {
    return room.refuse(member, FrameErrorCode.Invalid, `update must be at most ${room.limits.maxFrameBytes} bytes decoded`);
  }
  try {
    Y.decodeUpdate(bytes);
  } catch {
    return room.refuse(member, FrameErrorCode.Invalid, 'update is not a Yjs update (base64 of format version 1)');
  }
  const entry: PendingUpdate = {
    call: 'update',
    message: { seq: ++state.assignedSeq, id: clientMsgId, userId: member.user.id, name: member.user.name, text: base64, ts: room.clock.now() },
    bytes,
    sender: member,
    duplicates: null,
  };
  state.pending.set(clientMsgId, entry);
  room.meter.messageAccepted();
  room.enqueue(entry);
}

/**
 * Passes the sender's pointer on to the others, at most once per CURSOR_THROTTLE_MS per user: one
 * arriving sooner is held, and the newest held goes out when the time is up. Nothing is stored;
 * like `typing`, nothing is sent (or held) while the server's lease has lapsed.
 */
function cursor(state: BoardState, member: RoomMember, { x, y }: BoardPayloads['cursor']): void {
  if (!accepting(state, member) || !state.room.leaseHeld) return;
  const { room } = state;
  const userId = member.user.id;
  const slot = state.cursorSlot(userId);
  const now = room.clock.now();
  if (now - slot.sentAt >= CURSOR_THROTTLE_MS && !slot.timer) {
    slot.sentAt = now;
    room.broadcast(encodeFrame(ServerEventV3.Cursor, { userId, x, y }), userId);
    return;
  }
  slot.held = { x, y };
  slot.timer ??= room.clock.setTimeout(
    () => {
      slot.timer = null;
      const held = slot.held;
      slot.held = null;
      if (!held || !room.isOpen || !room.leaseHeld) return;
      slot.sentAt = room.clock.now();
      room.broadcast(encodeFrame(ServerEventV3.Cursor, { userId, ...held }), userId);
    },
    Math.max(0, slot.sentAt + CURSOR_THROTTLE_MS - now),
  );
}

function updateStored(state: BoardState, pending: PendingUpdate): void {
  const { room } = state;
  const { message } = pending;
  Y.applyUpdate(state.doc, pending.bytes);
  state.storedSeq = message.seq;
  state.pending.delete(message.id);
  const stored: BoardUpdate = { seq: message.seq, update: message.text, userId: message.userId };
  state.remember(stored, message.id);
  // Every socket but the sender's one: its other devices apply it too.
  room.meter.messagesDelivered(room.broadcast(encodeFrame(ServerEventV3.Update, stored), pending.sender));
  ackStored(room, pending, message.id, message.seq);
}

const handlers: { [E in keyof BoardPayloads]: FrameHandler<BoardState> } = {
  [ClientEventV3.Update]: update,
  [ClientEventV3.Cursor]: cursor,
};

/**
 * A shared board: one Yjs document that members edit at once (PROTOCOL.md, version 3, "Room
 * kinds"). Chat's `send`, `edit`, `delete`, `react`, `read` and `history` are no board frames: the
 * engine refuses them (`unknown_event`).
 */
export const boardKind: RoomKind<BoardState, PendingUpdate> = {
  name: 'board',
  loadLimit: () => BOARD_LOAD_LIMIT,
  create: (room, snapshot) => new BoardState(room, snapshot),

  welcome(state, member, members, { since }) {
    const { room } = state;
    const { limits } = room;
    const updates = since === undefined ? null : state.updatesAfter(since);
    const data: BoardWelcomeFrameData = {
      roomId: room.roomId,
      kind: 'board',
      serverId: room.serverId,
      you: member.user,
      members: [...members],
      lastSeq: state.storedSeq,
      limits: { maxMessageLength: limits.maxMessageLength, maxMembers: limits.maxMembers, maxFrameBytes: limits.maxFrameBytes },
      epoch: room.epoch,
      name: room.name,
      ...(updates ? { updates } : { state: state.stateBase64() }),
    };
    return encodeFrame(ServerEvent.Welcome, data);
  },

  handlers,

  write: (state, run) =>
    state.room.store.append(
      state.room.roomId,
      run.map((p) => p.message),
      state.room.epoch,
    ),

  stored(state, run) {
    for (const pending of run) updateStored(state, pending);
  },

  busy: () => false,

  closed(state) {
    state.pending.clear();
    state.clearCursors();
  },

  lastSeq: (state) => state.storedSeq,
};
