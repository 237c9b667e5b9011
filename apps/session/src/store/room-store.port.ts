import type { MessageV2, ReadMarker } from '@app/shared';

export const ROOM_STORE = Symbol('ROOM_STORE');

/** What a new owner of a room needs to continue it. */
export interface RoomSnapshot {
  /** Seq of the newest stored message, 0 if none. */
  lastSeq: number;
  /** The newest stored messages, oldest first (at most the `limit` asked for). */
  messages: MessageV2[];
  /** The newest epoch the store has seen for the room (after the load's claim), 0 if none. */
  epoch: number;
  /** The room's revision: raised by every stored send, edit, deletion and reaction change; 0 if none. */
  rev: number;
  /** Every stored read marker of the room (any user, connected or not), in no particular order. */
  reads: ReadMarker[];
}

/** What the store holds of a room right now, in one cheap read: whether an owner is still current. */
export interface RoomFence {
  /** The newest epoch the store has seen for the room, 0 if none. */
  epoch: number;
  /** Seq of the newest stored message, 0 if none. */
  lastSeq: number;
}

/**
 * Durable history of rooms. A room has one writer at a time (its owning session server); after a
 * crash another server loads the room and continues its seq.
 *
 * Fencing: every placement of a room has an epoch (from the backend's directory, carried by the
 * session token). The store remembers, per room, the newest epoch it has seen (claimed by `load`,
 * or by an `append`) and refuses any write made under an older one, in the same atomic step as the
 * write. So a former owner that lost the room (paused, partitioned, slow) can never store, and so
 * never acknowledge, a message once a newer owner has loaded the room.
 */
export interface RoomStore {
  /**
   * The room's newest `limit` messages and last seq. With `claim`, first claims that epoch for the
   * room, atomically with the read: rejects with `StaleEpochError` when the store has seen a newer
   * one, else the claim becomes the room's newest epoch. Every write stored before the claim is in
   * the snapshot; none under an older epoch can be stored after it.
   */
  load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot>;
  /**
   * Persists messages with consecutive seqs, oldest first, before they are acknowledged, under the
   * writer's `epoch`; the room's `rev` becomes the newest message's `rev` when that is higher. Rejects with `StaleEpochError` (nothing stored) when the store has seen a newer
   * epoch for the room, and with `SeqConflictError` when one of these seqs is already stored.
   */
  append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void>;
  /**
   * Replaces stored messages by their new state (same seqs: edits, deletions, reaction changes),
   * oldest change first, and raises the room's `rev` to the newest message `rev` among them, in one
   * atomic step under the writer's `epoch` (`StaleEpochError`, nothing changed, when the store has seen
   * a newer one). A seq the store no longer holds (trimmed) is skipped; its `rev` still counts.
   */
  update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void>;
  /**
   * Raises read markers: each user's becomes max(stored, given), under the writer's `epoch`
   * (`StaleEpochError` when the store has seen a newer one).
   */
  saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void>;
  /** The room's newest epoch and last seq, in one cheap read (no claim). */
  fence(roomId: string): Promise<RoomFence>;
  /** Messages with seq < `before`, the newest `limit` of them, oldest first. */
  before(roomId: string, before: number, limit: number): Promise<MessageV2[]>;
  /** Messages with seq > `after`, the newest `limit` of them, oldest first. */
  after(roomId: string, after: number, limit: number): Promise<MessageV2[]>;
  close(): Promise<void>;
  /**
   * Who this store is: an id kept in the store itself (a row of the SQLite file, a key of the Redis
   * keyspace; for memory, this process), made once by whoever opens the store first and the same for
   * every server that opens the same store. Session servers report it in heartbeats, and the backend
   * places a room only on servers whose store holds its history: two servers with stores of their
   * own (SQLite on two hosts that share no disk) can never both serve one room's seqs.
   */
  identity(): Promise<string>;
  /**
   * Rejects when the store cannot be reached right now (readiness). Only stores with a remote side
   * (Redis) have it; an in-process store is reachable while the process runs.
   */
  ping?(): Promise<void>;
}

/** Another writer already stored this seq: the room has moved away from this server. */
export class SeqConflictError extends Error {
  constructor(
    readonly roomId: string,
    readonly seq: number,
  ) {
    super(`seq ${seq} of room ${roomId} is already stored by another owner`);
    this.name = 'SeqConflictError';
  }
}

/** The store has seen a newer epoch for the room than the writer's: the room was placed elsewhere since. */
export class StaleEpochError extends Error {
  constructor(
    readonly roomId: string,
    readonly epoch: number,
    readonly storedEpoch: number,
  ) {
    super(`room ${roomId}: epoch ${epoch} is older than the store's ${storedEpoch}; the room was placed elsewhere`);
    this.name = 'StaleEpochError';
  }
}
