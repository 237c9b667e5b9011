import type { Message } from '@app/shared';
import { RoomSnapshot, RoomStore, SeqConflictError } from './room-store.port';

/**
 * History in this process only: for tests and single-process demos. Nothing survives a restart, so
 * a room taken over by another server starts again from seq 1 there. Each room keeps its newest
 * `maxMessages` (older ones are dropped, as the Redis store trims).
 */
export class MemoryRoomStore implements RoomStore {
  // Per room, messages in seq order (seqs are consecutive, so index = seq - first seq).
  private readonly rooms = new Map<string, Message[]>();

  constructor(private readonly maxMessages = Number.POSITIVE_INFINITY) {}

  async load(roomId: string, limit: number): Promise<RoomSnapshot> {
    const list = this.rooms.get(roomId) ?? [];
    return {
      lastSeq: list.length ? list[list.length - 1].seq : 0,
      messages: limit > 0 ? list.slice(-limit) : [],
    };
  }

  async append(roomId: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    let list = this.rooms.get(roomId);
    const lastSeq = list?.length ? list[list.length - 1].seq : 0;
    // All or nothing: a batch with one stored seq stores none of its messages.
    for (const m of messages) {
      if (m.seq <= lastSeq) throw new SeqConflictError(roomId, m.seq);
    }
    if (!list) this.rooms.set(roomId, (list = []));
    for (const m of messages) list.push({ ...m });
    // Trim in steps of a quarter, so the copy is paid once per maxMessages/4 appends.
    if (list.length > this.maxMessages * 1.25) list.splice(0, list.length - this.maxMessages);
  }

  async before(roomId: string, before: number, limit: number): Promise<Message[]> {
    const list = this.rooms.get(roomId) ?? [];
    const end = lowerBound(list, before); // first index with seq >= before
    return limit > 0 ? list.slice(Math.max(0, end - limit), end) : [];
  }

  async after(roomId: string, after: number, limit: number): Promise<Message[]> {
    const list = this.rooms.get(roomId) ?? [];
    const start = lowerBound(list, after + 1);
    return limit > 0 ? list.slice(Math.max(start, list.length - limit)) : [];
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

function lowerBound(list: readonly Message[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
