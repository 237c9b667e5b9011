import type { Message } from '@app/shared';

export const ROOM_STORE = Symbol('ROOM_STORE');

/** What a new owner of a room needs to continue it. */
export interface RoomSnapshot {
  /** Seq of the newest stored message, 0 if none. */
  lastSeq: number;
  /** The newest stored messages, oldest first (at most the `limit` asked for). */
  messages: Message[];
}

/**
 * Durable history of rooms. A room has one writer at a time (its owning session server); after a
 * crash another server loads the room and continues its seq.
 */
export interface RoomStore {
  load(roomId: string, limit: number): Promise<RoomSnapshot>;
  /**
   * Persists messages with consecutive seqs, oldest first, before they are acknowledged. Rejects
   * with `SeqConflictError` when one of these seqs is already stored: another server owns the room.
   */
  append(roomId: string, messages: readonly Message[]): Promise<void>;
  /** Messages with seq < `before`, the newest `limit` of them, oldest first. */
  before(roomId: string, before: number, limit: number): Promise<Message[]>;
  /** Messages with seq > `after`, the newest `limit` of them, oldest first. */
  after(roomId: string, after: number, limit: number): Promise<Message[]>;
  close(): Promise<void>;
  /**
   * Rejects when the store cannot be reached right now (readiness). Only stores with a remote side
   * (Redis) have it; an in-process store is reachable while the process runs.
   */
  ping?(): Promise<void>;
}

/** Another writer already stored this seq: the room has moved away from this server. */
export class SeqConflictError extends Error {
  constructor(readonly roomId: string, readonly seq: number) {
    super(`seq ${seq} of room ${roomId} is already stored by another owner`);
    this.name = 'SeqConflictError';
  }
}
