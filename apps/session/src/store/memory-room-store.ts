import type { Message } from '@app/shared';
import { MessageLog } from '../history/message-log';
import { RoomFence, RoomSnapshot, RoomStore, SeqConflictError, StaleEpochError } from './room-store.port';

/**
 * History in this process only: for tests and single-process demos. Nothing survives a restart, so
 * a room taken over by another server starts again from seq 1 there. Each room keeps its newest
 * `maxMessages` (older ones are dropped, as the Redis store trims), as JSON in a `MessageLog`: off
 * the V8 heap, so that history the GC would have to trace and then collect costs it nothing.
 */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, MessageLog>();
  /** Newest epoch seen per room (claimed by a load or an append). */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly maxMessages = Number.POSITIVE_INFINITY) {}

  async load(roomId: string, limit: number, claim?: number): Promise<RoomSnapshot> {
    const epoch = claim === undefined ? this.epochOf(roomId) : this.claim(roomId, claim);
    const log = this.rooms.get(roomId);
    if (!log) return { lastSeq: 0, messages: [], epoch };
    return { lastSeq: log.newestSeq, messages: log.newest(limit), epoch };
  }

  async append(roomId: string, messages: readonly Message[], epoch: number): Promise<void> {
    if (messages.length === 0) return;
    const newest = this.epochOf(roomId);
    if (epoch < newest) throw new StaleEpochError(roomId, epoch, newest);
    let log = this.rooms.get(roomId);
    const lastSeq = log?.newestSeq ?? 0;
    // All or nothing: a batch with one stored seq stores none of its messages, nor one with a gap.
    for (let i = 0; i < messages.length; i++) {
      const { seq } = messages[i];
      if (seq <= lastSeq) throw new SeqConflictError(roomId, seq);
      const expected = i === 0 ? (lastSeq ? lastSeq + 1 : seq) : messages[i - 1].seq + 1;
      if (seq !== expected) throw new RangeError(`room ${roomId}: seq ${seq} does not follow ${expected - 1}`);
    }
    if (!log) this.rooms.set(roomId, (log = new MessageLog(this.maxMessages)));
    for (const m of messages) log.push(m.seq, JSON.stringify(m));
    if (epoch > newest) this.epochs.set(roomId, epoch);
  }

  async fence(roomId: string): Promise<RoomFence> {
    return { epoch: this.epochOf(roomId), lastSeq: this.rooms.get(roomId)?.newestSeq ?? 0 };
  }

  async before(roomId: string, before: number, limit: number): Promise<Message[]> {
    return this.rooms.get(roomId)?.before(before, limit) ?? [];
  }

  async after(roomId: string, after: number, limit: number): Promise<Message[]> {
    return this.rooms.get(roomId)?.after(after, limit) ?? [];
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.epochs.clear();
  }

  private epochOf(roomId: string): number {
    return this.epochs.get(roomId) ?? 0;
  }

  private claim(roomId: string, epoch: number): number {
    const newest = this.epochOf(roomId);
    if (epoch < newest) throw new StaleEpochError(roomId, epoch, newest);
    this.epochs.set(roomId, epoch);
    return epoch;
  }
}
