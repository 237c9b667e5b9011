import { CloseCode } from '@app/shared';
import type { LeaseView } from '../lease/lease';
import { TEXT_FRAME, type EncodedFrame } from '../protocol/server-frame';
import { closeQuietly, SOCKET_OPEN, type RoomMember } from './member-socket';
import type { Outbox } from './outbox';
import type { RoomLog } from './room-log';
import type { RoomMeter } from '../metrics/room-meter';

/**
 * Close code for a member that does not read fast enough (its send buffer passed the limit):
 * 1013 "Try Again Later" (RFC 6455 registry). Not 4429, which tells a client it sent too much;
 * the client reconnects with `since` and catches up without slowing the room for everyone else.
 */
export const SLOW_CONSUMER_CLOSE_CODE = CloseCode.TryAgainLater;

/**
 * Frames one room holds back while the lease has lapsed; past this many the room is closed with 1012
 * (its clients come back through the backend) rather than holding without bound.
 */
export const MAX_WITHHELD_FRAMES = 10_000;

export interface DeliveryOptions {
  roomId: string;
  /** The room's connections now. */
  members: ReadonlySet<RoomMember>;
  lease: LeaseView;
  outbox: Outbox;
  log: RoomLog;
  meter: RoomMeter;
  sendBufferLimitBytes: number;
  isClosed: () => boolean;
  /** A member was closed for not keeping up: the room lets it go. */
  dropped: (member: RoomMember) => void;
  /** Too much was held back while the lease lapsed: the room closes. */
  overflowed: () => void;
}

/**
 * How one room's frames reach its members: through the outbox, never to a member that stopped
 * reading (it is closed instead), and not at all while the server's lease has lapsed (they are
 * held, in order, until `leaseRenewed`, and dropped when the room closes).
 */
export class Delivery {
  /** Frames held back while the lease has lapsed, in order: sent when it is renewed, dropped on close. */
  private withheld: Array<{ member: RoomMember; frame: EncodedFrame }> = [];

  constructor(private readonly o: DeliveryOptions) {}

  /** May the room send to its members now? */
  get leaseHeld(): boolean {
    return this.o.lease.held();
  }

  /** Sends one encoded frame to every connection (except those of the user `except` names, or that one connection); returns how many got it. */
  broadcast(frame: EncodedFrame, except?: string | RoomMember): number {
    const skip = (member: RoomMember) => (typeof except === 'string' ? member.user.id === except : member === except);
    if (!this.o.lease.held()) {
      for (const member of this.o.members) if (!skip(member)) this.withhold(member, frame);
      return 0;
    }
    let slow: RoomMember[] | null = null;
    let sent = 0;
    for (const member of this.o.members) {
      if (skip(member)) continue;
      const socket = member.socket;
      if (socket.readyState !== SOCKET_OPEN) continue;
      if (socket.bufferedAmount > this.o.sendBufferLimitBytes) (slow ??= []).push(member);
      else {
        this.deliver(member, frame);
        sent++;
      }
    }
    if (slow) for (const member of slow) this.dropSlowConsumer(member);
    return sent;
  }

  sendTo(member: RoomMember, frame: EncodedFrame): void {
    if (!this.o.lease.held()) this.withhold(member, frame);
    else if (member.socket.readyState === SOCKET_OPEN) this.deliver(member, frame);
  }

  /** The server's lease was renewed: the frames held back while it had lapsed go out, in order. */
  leaseRenewed(): void {
    if (this.withheld.length === 0 || this.o.isClosed()) return;
    const frames = this.withheld;
    this.withheld = [];
    for (const { member, frame } of frames) if (this.o.members.has(member)) this.sendTo(member, frame);
  }

  /** Drops what was held back (the room closed). */
  clear(): void {
    this.withheld = [];
  }

  private withhold(member: RoomMember, frame: EncodedFrame): void {
    if (this.o.isClosed()) return;
    this.withheld.push({ member, frame });
    if (this.withheld.length <= MAX_WITHHELD_FRAMES) return;
    this.o.log.warn(`room ${this.o.roomId}: ${MAX_WITHHELD_FRAMES} frames held back while the server has no lease; closing the room`);
    this.o.overflowed();
  }

  /** Every frame to an open socket goes out here: held by the outbox first, so a turn's frames leave together. */
  private deliver(member: RoomMember, frame: EncodedFrame): void {
    this.o.outbox.hold(member.transport);
    member.socket.send(frame, TEXT_FRAME);
  }

  private dropSlowConsumer(member: RoomMember): void {
    this.o.log.warn(`room ${this.o.roomId}: closing a connection of ${member.user.id} that does not keep up`);
    this.o.meter.slowConsumerClosed();
    closeQuietly(member.socket, SLOW_CONSUMER_CLOSE_CODE, 'too slow to keep up');
    this.o.dropped(member);
  }
}
