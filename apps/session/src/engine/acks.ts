import { ServerEvent } from '@app/shared';
import { encodeFrame } from '../protocol/server-frame';
import type { RoomMember } from './member-socket';
import type { RoomContext } from './room-kind';

/** A write that is acknowledged once stored: to its sender, and to every socket that re-sent its clientMsgId meanwhile. */
export interface AckedWrite {
  readonly sender: RoomMember;
  /** Connections that re-sent the same clientMsgId before it was stored: they get its ack too. */
  duplicates: RoomMember[] | null;
}

/**
 * A clientMsgId the room has seen already: stored (`storedSeq`), it is acked again at once; waiting
 * for the store (`pending`), the member is acked with it. False for a new id, which the kind accepts.
 */
export function ackKnown(room: RoomContext, member: RoomMember, clientMsgId: string, storedSeq: number | undefined, pending: AckedWrite | undefined): boolean {
  if (storedSeq) {
    room.sendTo(member, encodeFrame(ServerEvent.Ack, { clientMsgId, seq: storedSeq }));
    return true;
  }
  if (!pending) return false;
  (pending.duplicates ??= []).push(member);
  return true;
}

/** Acks a stored write to its sender and to the sockets that re-sent it, those still in the room. */
export function ackStored(room: RoomContext, write: AckedWrite, clientMsgId: string, seq: number): void {
  const ack = encodeFrame(ServerEvent.Ack, { clientMsgId, seq });
  if (room.isMember(write.sender)) room.sendTo(write.sender, ack);
  for (const dup of write.duplicates ?? []) if (room.isMember(dup)) room.sendTo(dup, ack);
}
