import type { FrameErrorCode, FrameErrorCodeV2, UserRef } from '@app/shared';
import type { EncodedFrame } from '../protocol/server-frame';
import type { RoomSnapshot, RoomStore } from '../store/room-store.port';
import type { Clock } from '../time/clock';
import type { RoomMember } from './member-socket';
import type { RoomLog } from './room-log';
import type { RoomMeter } from '../metrics/room-meter';
import type { QueuedWrite } from './write-queue';

export interface RoomLimits {
  /** Messages in a `welcome` without `since`. */
  historyLimit: number;
  /** Most messages in a `welcome` with `since`; also how many clientMsgIds are remembered at least. */
  resumeLimit: number;
  maxMembers: number;
  maxMessageLength: number;
  maxFrameBytes: number;
  typingThrottleMs: number;
  /** An empty room is disposed after this long. */
  idleMs: number;
  /** A member whose socket buffers more than this is closed with SLOW_CONSUMER_CLOSE_CODE. */
  sendBufferLimitBytes: number;
}

/** Where a connection resumes from: absent for a first join. */
export interface Resume {
  since?: number;
  /** `?rev=` of a resume (with `since`). */
  sinceRev?: number;
}

/**
 * What the engine lends a kind's state: the room's identity and services, its members, delivery
 * and the write queue. A kind holds it from `create` on and never sees a socket or the host itself.
 */
export interface RoomContext<W extends QueuedWrite = QueuedWrite> {
  readonly roomId: string;
  readonly epoch: number;
  readonly name: string | null;
  readonly serverId: string;
  readonly limits: RoomLimits;
  readonly store: RoomStore;
  readonly clock: Clock;
  readonly log: RoomLog;
  readonly meter: RoomMeter;
  /** Runs a store write soon (see `RoomHostOptions.defer`). */
  readonly defer: (fn: () => void) => void;
  readonly isOpen: boolean;
  readonly isClosed: boolean;
  /** False while the server's lease has lapsed: ephemeral frames (typing, cursors) are then dropped, not held. */
  readonly leaseHeld: boolean;
  /** Is this connection in the room now? */
  isMember(member: RoomMember): boolean;
  sendTo(member: RoomMember, frame: EncodedFrame): void;
  refuse(member: RoomMember, code: FrameErrorCode | FrameErrorCodeV2, text: string): void;
  /** To every connection (except those of the user `except` names, or the one connection `except` is); returns how many got it. */
  broadcast(frame: EncodedFrame, except?: string | RoomMember): number;
  /** Queues a write: stored in order under the room's epoch, then handed to the kind's `stored`. */
  enqueue(write: W): void;
  /** Marks the room active now (heartbeats report it). */
  touch(): void;
  /** A write of the kind's own failed: a newer epoch gives the room up, anything else closes it. */
  storeFailed(err: unknown): void;
  /** A write of the kind's own ended: wakes who waits for `settled` once nothing is outstanding. */
  checkSettled(): void;
}

/**
 * A frame handler: `payload` is the frame's data, validated by the gateway. Typed `never` here so
 * that each kind names its own payload types; declared as a method so that a kind's handlers
 * (taking its own state) still fit where any kind is held.
 */
export type FrameHandler<S> = { handle(state: S, member: RoomMember, payload: never): void }['handle'];

/**
 * A kind of room: what a room's content is and how frames change it. A plain object, no framework
 * and no socket: the engine owns members, delivery, the write queue and the room's life, and calls
 * these. Registered by name in `kinds/room-kinds.ts`.
 */
export interface RoomKind<S, W extends QueuedWrite = QueuedWrite> {
  readonly name: string;
  /** How many stored items `create` needs in its snapshot (default: the larger of `resumeLimit` and `historyLimit`). */
  loadLimit?(limits: RoomLimits): number;
  /** The room's state from what the store holds of it. */
  create(room: RoomContext<W>, snapshot: RoomSnapshot): S;
  /** The `welcome` for `member`, who is among `members` already. */
  welcome(state: S, member: RoomMember, members: readonly UserRef[], resume: Resume): EncodedFrame;
  /** Client frames by event, in any state of the room: a handler that changes the room checks `room.isOpen` and `room.isMember`. */
  readonly handlers: Readonly<Record<string, FrameHandler<S>>>;
  /** Stores a run of queued writes of one `call` (one store call, under the room's epoch). */
  write(state: S, run: W[]): Promise<void>;
  /** A run is stored: its frames go out. */
  stored(state: S, run: W[]): void;
  /** True while writes of the kind's own (outside the queue) are outstanding. */
  busy(state: S): boolean;
  /** The room closed: forget what waits, stop timers. */
  closed(state: S): void;
  /** Seq of the newest stored item (reported in heartbeats). */
  lastSeq(state: S): number;
}
