import { ClientEvent, ClientEventV2, DEFAULT_LIMITS, FrameErrorCode, FrameErrorCodeV2, ServerEvent, ServerEventV2, type ReadMarker } from '@app/shared';
import type { RoomMember } from '../../engine/member-socket';
import { ackKnown, ackStored } from '../../engine/acks';
import type { FrameHandler, RoomKind } from '../../engine/room-kind';
import { encodeFrame, encodeMessageFrame, encodeWelcomeFrame, errorFrame, MESSAGE_DATA_START, type EncodedFrame } from '../../protocol/server-frame';
import { ChatState, type ChatWrite, type PendingChange, type PendingMessage, type RoomMessage } from './chat-state';

/** The payloads of the frames a chat room takes (validated by the gateway). */
export interface ChatPayloads {
  send: { text: string; clientMsgId: string };
  edit: { seq: number; text: string };
  delete: { seq: number };
  react: { seq: number; emoji: string; on: boolean };
  read: { seq: number };
  history: { before: number; limit: number };
}

/** True when the room takes changes from `member` now. */
function accepting(state: ChatState, member: RoomMember): boolean {
  return state.room.isOpen && state.room.isMember(member);
}

/**
 * Accepts a message: stored, then broadcast to every member and acked to the sender. A clientMsgId
 * already seen in the room is not stored again: the sender gets the first ack. PROTOCOL.md keys
 * this per room, not per sender; a client reusing another's id only loses its own message, and
 * random ids (UUIDs) never meet.
 */
function send(state: ChatState, member: RoomMember, { text, clientMsgId }: ChatPayloads['send']): void {
  if (!accepting(state, member)) return;
  const { room } = state;
  if (ackKnown(room, member, clientMsgId, state.ring.seqOfKey(clientMsgId), state.pending.get(clientMsgId))) return;
  const message: RoomMessage = {
    seq: ++state.assignedSeq,
    id: clientMsgId,
    userId: member.user.id,
    name: member.user.name,
    text,
    ts: room.clock.now(),
    rev: ++state.assignedRev,
  };
  const entry: PendingMessage = { call: 'send', message, sender: member, duplicates: null };
  state.pending.set(clientMsgId, entry);
  room.meter.messageAccepted();
  room.enqueue(entry);
}

/**
 * Replaces the text of the member's own message: refused when the seq is unknown (`not_found`),
 * not the member's (`forbidden`) or deleted (`deleted`). Stored, then every member gets `edited`.
 */
function edit(state: ChatState, member: RoomMember, { seq, text }: ChatPayloads['edit']): void {
  const message = target(state, member, seq, true);
  if (!message) return;
  if (message.deleted) return state.room.refuse(member, FrameErrorCodeV2.Deleted, `message ${seq} is deleted`);
  const rev = ++state.assignedRev;
  const editedAt = state.room.clock.now();
  change(state, { ...message, text, editedAt, rev }, encodeFrame(ServerEventV2.Edited, { seq, text, editedAt, rev }));
}

/**
 * Deletes the member's own message: `text` "", `deleted` true, reactions gone; the seq stays.
 * Deleting a deleted message again changes nothing and is no error. Stored, then `deleted` to all.
 */
function remove(state: ChatState, member: RoomMember, { seq }: ChatPayloads['delete']): void {
  const message = target(state, member, seq, true);
  if (!message || message.deleted) return;
  const rev = ++state.assignedRev;
  const { reactions: _gone, ...kept } = message;
  change(state, { ...kept, text: '', deleted: true, rev }, encodeFrame(ServerEventV2.Deleted, { seq, rev }));
}

/**
 * Sets (`on`) or clears the member's `emoji` on any message. Doing it twice changes nothing and
 * sends nothing; a 21st distinct emoji is refused (`limit`), and so is any reaction to a deleted
 * message (`deleted`: its reactions were removed with it). Stored, then `reaction` to all.
 */
function react(state: ChatState, member: RoomMember, { seq, emoji, on }: ChatPayloads['react']): void {
  const message = target(state, member, seq, false);
  if (!message) return;
  if (message.deleted) return state.room.refuse(member, FrameErrorCodeV2.Deleted, `message ${seq} is deleted`);
  const userId = member.user.id;
  const reactions = message.reactions ?? {};
  const users = Object.hasOwn(reactions, emoji) ? reactions[emoji] : undefined;
  if (on === (users?.includes(userId) ?? false)) return;
  let next: Record<string, string[]>;
  if (on) {
    if (!users && Object.keys(reactions).length >= DEFAULT_LIMITS.maxReactionsPerMessage) {
      return state.room.refuse(member, FrameErrorCodeV2.Limit, `a message holds at most ${DEFAULT_LIMITS.maxReactionsPerMessage} different emoji`);
    }
    next = { ...reactions, [emoji]: [...(users ?? []), userId] };
  } else {
    next = { ...reactions, [emoji]: users!.filter((id) => id !== userId) };
    if (next[emoji].length === 0) delete next[emoji];
  }
  const rev = ++state.assignedRev;
  const { reactions: _old, ...rest } = message;
  const updated: RoomMessage = Object.keys(next).length ? { ...rest, reactions: next, rev } : { ...rest, rev };
  change(state, updated, encodeFrame(ServerEventV2.Reaction, { seq, emoji, userId, on, rev }));
}

/**
 * Raises the member's read marker to `seq` (an integer ≥ 0, at most `lastSeq`): kept for every
 * device of the user and written to the store; the other members hear of it at most once per
 * `readNoticeMs` per user, with the newest value.
 */
function read(state: ChatState, member: RoomMember, { seq }: ChatPayloads['read']): void {
  if (!accepting(state, member)) return;
  if (seq > state.storedSeq) return state.room.refuse(member, FrameErrorCode.Invalid, `seq must be from 0 to lastSeq (${state.storedSeq})`);
  state.reads.raise(member.user.id, seq);
}

/** Answers with a page of history (also while the room is closing). */
function history(state: ChatState, member: RoomMember, { before, limit }: ChatPayloads['history']): void {
  const { room } = state;
  state.history(before, limit).then(
    (page) => room.sendTo(member, encodeFrame(ServerEvent.History, page)),
    (err: unknown) => {
      room.log.error(`history of room ${room.roomId} failed`, err);
      room.sendTo(member, errorFrame(FrameErrorCode.Invalid, 'history is unavailable right now, try again'));
    },
  );
}

/** Queues a message's new state (its `rev` taken already) for the store; broadcast once stored. */
function change(state: ChatState, message: RoomMessage, frame: EncodedFrame): void {
  state.accepted.set(message.seq, message);
  state.room.enqueue({ call: 'change', message, frame });
}

/**
 * The current state of the message `seq` for a change by `member` (its own only, when `ownOnly`),
 * or null after refusing the frame: a seq that is not stored, or older than the ring holds (the
 * room keeps changes only for its newest messages), is `not_found`.
 */
function target(state: ChatState, member: RoomMember, seq: number, ownOnly: boolean): RoomMessage | null {
  if (!accepting(state, member)) return null;
  const message = state.current(seq);
  if (!message) {
    state.room.refuse(member, FrameErrorCodeV2.NotFound, `no message ${seq} here (it may be older than the room keeps)`);
    return null;
  }
  if (ownOnly && message.userId !== member.user.id) {
    state.room.refuse(member, FrameErrorCodeV2.Forbidden, `message ${seq} is not yours`);
    return null;
  }
  return message;
}

function messageStored(state: ChatState, pending: PendingMessage): void {
  const { message } = pending;
  const { room } = state;
  state.storedSeq = message.seq;
  // Encoded once: the frame every member gets, and (its data part) the ring's copy.
  const frame = encodeMessageFrame(message);
  state.ring.push(message.seq, frame.subarray(MESSAGE_DATA_START, frame.length - 1), message.id);
  // The ring drops one message per push once full: its stored change goes with it.
  if (state.changed.size) state.changed.delete(state.ring.oldestSeq - 1);
  state.pending.delete(message.id);
  room.meter.messagesDelivered(room.broadcast(frame));
  ackStored(room, pending, message.id, message.seq);
}

function changeStored(state: ChatState, change: PendingChange): void {
  const { message } = change;
  if (state.ring.size && message.seq >= state.ring.oldestSeq) state.changed.set(message.seq, message);
  if (state.accepted.get(message.seq) === message) state.accepted.delete(message.seq);
  state.room.broadcast(change.frame);
}

const handlers: { [E in keyof ChatPayloads]: FrameHandler<ChatState> } = {
  [ClientEvent.Send]: send,
  [ClientEventV2.Edit]: edit,
  [ClientEventV2.Delete]: remove,
  [ClientEventV2.React]: react,
  [ClientEventV2.Read]: read,
  [ClientEvent.History]: history,
};

/**
 * Chat: messages with seqs, edits, deletions and reactions (each raising the room's `rev`), read
 * markers and history pages. Sends and changes take the engine's write queue, so they reach the
 * store in the order they were accepted: a run of sends is one `append`, a run of changes one
 * `update`; each is broadcast (and a send acked) once stored.
 */
export const chatKind: RoomKind<ChatState, ChatWrite> = {
  name: 'chat',
  create: (room, snapshot) => new ChatState(room, snapshot),

  /**
   * With `since` and `sinceRev` (a resume), `changed` holds the messages up to `since` changed
   * after `sinceRev`, in their current state.
   */
  welcome(state, member, members, { since, sinceRev }) {
    const { room } = state;
    const { limits } = room;
    const messages = since === undefined ? state.messagesJson(0, limits.historyLimit) : state.messagesJson(since, limits.resumeLimit);
    const reads: ReadMarker[] = members.map((user) => ({ userId: user.id, seq: state.reads.of(user.id) }));
    return encodeWelcomeFrame(
      {
        roomId: room.roomId,
        kind: 'chat',
        serverId: room.serverId,
        you: member.user,
        members: [...members],
        lastSeq: state.storedSeq,
        limits: { maxMessageLength: limits.maxMessageLength, maxMembers: limits.maxMembers, maxFrameBytes: limits.maxFrameBytes },
        epoch: room.epoch,
        name: room.name,
        rev: state.storedRev,
        readSeq: state.reads.of(member.user.id),
        reads,
        changed: since !== undefined && sinceRev !== undefined ? state.changedSince(since, sinceRev) : [],
      },
      messages,
    );
  },

  handlers,

  write(state, run) {
    const { room } = state;
    const messages = run.map((p) => p.message);
    return run[0].call === 'send' ? room.store.append(room.roomId, messages, room.epoch) : room.store.update(room.roomId, messages, room.epoch);
  },

  stored(state, run) {
    for (const pending of run) {
      state.storedRev = pending.message.rev;
      if (pending.call === 'change') changeStored(state, pending);
      else messageStored(state, pending);
    }
  },

  busy: (state) => state.reads.busy,

  closed(state) {
    state.pending.clear();
    state.accepted.clear();
    state.reads.clear();
  },

  lastSeq: (state) => state.storedSeq,
};
