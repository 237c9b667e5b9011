import type { Message } from '@app/shared';
import { RoomSnapshot, RoomStore, SeqConflictError } from './room-store.port';

/**
 * A room's history: seqs and the messages as JSON, side by side, oldest first. Kept this way
 * rather than as message objects because a full GC traces every object the heap holds, and up to
 * 10,000 messages in each of a server's rooms are most of its heap: as objects, each with its own
 * strings, that is several objects per message to trace; as one flat string and a number in a
 * packed array, one leaf. Reads (history pages, resume beyond the room's ring) parse.
 */
interface RoomHistory {
  seqs: number[];
  json: string[];
}

/**
 * History in this process only: for tests and single-process demos. Nothing survives a restart, so
 * a room taken over by another server starts again from seq 1 there. Each room keeps its newest
 * `maxMessages` (older ones are dropped, as the Redis store trims).
 */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, RoomHistory>();

  constructor(private readonly maxMessages = Number.POSITIVE_INFINITY) {}

  async load(roomId: string, limit: number): Promise<RoomSnapshot> {
    const h = this.rooms.get(roomId);
    if (!h) return { lastSeq: 0, messages: [] };
    return { lastSeq: h.seqs[h.seqs.length - 1], messages: limit > 0 ? parse(h.json, h.json.length - limit, h.json.length) : [] };
  }

  async append(roomId: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    let h = this.rooms.get(roomId);
    const lastSeq = h ? h.seqs[h.seqs.length - 1] : 0;
    // All or nothing: a batch with one stored seq stores none of its messages.
    for (const m of messages) {
      if (m.seq <= lastSeq) throw new SeqConflictError(roomId, m.seq);
    }
    if (!h) this.rooms.set(roomId, (h = { seqs: [], json: [] }));
    for (const m of messages) {
      h.seqs.push(m.seq);
      h.json.push(JSON.stringify(m));
    }
    // Trim in steps of a quarter, so the copy is paid once per maxMessages/4 appends.
    if (h.seqs.length > this.maxMessages * 1.25) {
      const drop = h.seqs.length - this.maxMessages;
      h.seqs.splice(0, drop);
      h.json.splice(0, drop);
    }
  }

  async before(roomId: string, before: number, limit: number): Promise<Message[]> {
    const h = this.rooms.get(roomId);
    if (!h || limit <= 0) return [];
    const end = lowerBound(h.seqs, before); // first index with seq >= before
    return parse(h.json, end - limit, end);
  }

  async after(roomId: string, after: number, limit: number): Promise<Message[]> {
    const h = this.rooms.get(roomId);
    if (!h || limit <= 0) return [];
    const start = lowerBound(h.seqs, after + 1);
    return parse(h.json, Math.max(start, h.json.length - limit), h.json.length);
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

/** Messages from..to (end excluded; from below 0 reads from the start), parsed. */
function parse(json: readonly string[], from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let i = Math.max(0, from); i < to; i++) out.push(JSON.parse(json[i]) as Message);
  return out;
}

function lowerBound(seqs: readonly number[], seq: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid] < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
