import type { MessageV2, ReadMarker } from '@app/shared';
import { randomUUID } from 'node:crypto';
import { MessageLog } from '../history/message-log';
import { RoomFence, RoomSnapshot, RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';

/** One room in memory: the history as appended, and the newest state of the messages changed since. */
interface MemoryRoom {
  log: MessageLog;
  /** Messages edited, deleted or reacted to: their current state, by seq (pruned as the log trims). */
  changed: Map<number, MessageV2>;
}

/**
 * History in this process only: for tests and single-process demos. Nothing survives a restart, so
 * a room taken over by another server starts again from seq 1 there. Each room keeps its newest
 * `maxMessages` (older ones are dropped, as the Redis store trims), as JSON in a `MessageLog`: off
 * the V8 heap, so that history the GC would have to trace and then collect costs it nothing.
 * A `MessageLog` is append-only, so changed messages live beside it, by seq, and win when read.
 */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, MemoryRoom>();
  /** Newest epoch seen per room (claimed by a load or an append). */
  private readonly epochs = new Map<string, number>();
  private readonly revs = new Map<string, number>();
  private readonly reads = new Map<string, Map<string, number>>();
  /** The store is this process's memory: no other server holds what it holds. */
  private readonly id = `memory:${randomUUID()}`;

  constructor(private readonly maxMessages = Number.POSITIVE_INFINITY) {}

  async load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    const epoch = claim === undefined ? this.epochOf(roomId) : this.claim(roomId, claim);
    const room = this.rooms.get(roomId);
    const rev = this.revs.get(roomId) ?? 0;
    const reads = [...(this.reads.get(roomId) ?? new Map<string, number>())].map(([userId, seq]) => ({ userId, seq }));
    if (!room) return { lastSeq: 0, messages: [], epoch, rev, reads };
    return { lastSeq: room.log.newestSeq, messages: this.current(room, room.log.newest(limit)), epoch, rev, reads };
  }

  async identity(): Promise<string> {
    return this.id;
  }

  async append(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    this.checkEpoch(roomId, epoch);
    let room = this.rooms.get(roomId);
    const lastSeq = room?.log.newestSeq ?? 0;
    // All or nothing: a batch with one stored seq stores none of its messages, nor one with a gap.
    for (let i = 0; i < messages.length; i++) {
      const { seq } = messages[i];
      if (seq <= lastSeq) throw new SeqConflictError(roomId, seq);
      const expected = i === 0 ? (lastSeq ? lastSeq + 1 : seq) : messages[i - 1].seq + 1;
      if (seq !== expected) throw new RangeError(`room ${roomId}: seq ${seq} does not follow ${expected - 1}`);
    }
    if (!room) this.rooms.set(roomId, (room = { log: new MessageLog(this.maxMessages), changed: new Map() }));
    for (const m of messages) {
      room.log.push(m.seq, JSON.stringify(m));
      this.raiseRev(roomId, m.rev);
    }
    if (room.changed.size) for (const seq of room.changed.keys()) if (seq < room.log.oldestSeq) room.changed.delete(seq);
    this.raiseEpoch(roomId, epoch);
  }

  async update(roomId: string, messages: readonly MessageV2[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    this.checkEpoch(roomId, epoch);
    const room = this.rooms.get(roomId);
    for (const m of messages) {
      if (room && m.seq >= room.log.oldestSeq && m.seq <= room.log.newestSeq) room.changed.set(m.seq, structuredClone(m));
      this.raiseRev(roomId, m.rev);
    }
    this.raiseEpoch(roomId, epoch);
  }

  async saveReads(roomId: string, reads: readonly ReadMarker[], epoch: number): Promise<void> {
    if (reads.length === 0) return;
    this.checkEpoch(roomId, epoch);
    let markers = this.reads.get(roomId);
    if (!markers) this.reads.set(roomId, (markers = new Map<string, number>()));
    for (const { userId, seq } of reads) markers.set(userId, Math.max(markers.get(userId) ?? 0, seq));
    this.raiseEpoch(roomId, epoch);
  }

  async fence(roomId: string): Promise<RoomFence> {
    return { epoch: this.epochOf(roomId), lastSeq: this.rooms.get(roomId)?.log.newestSeq ?? 0 };
  }

  async before(roomId: string, before: number, limit: number): Promise<MessageV2[]> {
    const room = this.rooms.get(roomId);
    return room ? this.current(room, room.log.before(before, limit)) : [];
  }

  async after(roomId: string, after: number, limit: number): Promise<MessageV2[]> {
    const room = this.rooms.get(roomId);
    return room ? this.current(room, room.log.after(after, limit)) : [];
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.epochs.clear();
    this.revs.clear();
    this.reads.clear();
  }

  private current(room: MemoryRoom, messages: MessageV2[]): MessageV2[] {
    if (!room.changed.size) return messages;
    return messages.map((m) => {
      const changed = room.changed.get(m.seq);
      return changed ? structuredClone(changed) : m;
    });
  }

  private epochOf(roomId: string): number {
    return this.epochs.get(roomId) ?? 0;
  }

  private checkEpoch(roomId: string, epoch: number): void {
    const newest = this.epochOf(roomId);
    if (epoch < newest) throw new StaleEpochError(roomId, epoch, newest);
  }

  private raiseEpoch(roomId: string, epoch: number): void {
    if (epoch > this.epochOf(roomId)) this.epochs.set(roomId, epoch);
  }

  private raiseRev(roomId: string, rev: number | undefined): void {
    if (rev !== undefined && rev > (this.revs.get(roomId) ?? 0)) this.revs.set(roomId, rev);
  }

  private claim(roomId: string, epoch: number): number {
    this.checkEpoch(roomId, epoch);
    this.epochs.set(roomId, epoch);
    return epoch;
  }
}
