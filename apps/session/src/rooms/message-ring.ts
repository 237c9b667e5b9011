import type { Message } from '@app/shared';

/**
 * The newest `capacity` messages of a room, in seq order. Seqs in the ring are consecutive, so a
 * seq maps straight to a slot.
 */
export class MessageRing {
  private readonly slots: (Message | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Seq of the oldest message held, 0 when empty. */
  get oldestSeq(): number {
    return this.count ? this.at(0).seq : 0;
  }

  get newestSeq(): number {
    return this.count ? this.at(this.count - 1).seq : 0;
  }

  /** Adds the next message; returns the one that fell out, if any. */
  push(message: Message): Message | undefined {
    if (this.count && message.seq !== this.newestSeq + 1) {
      throw new RangeError(`seq ${message.seq} does not follow ${this.newestSeq}`);
    }
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = message;
      this.count++;
      return undefined;
    }
    const evicted = this.slots[this.start];
    this.slots[this.start] = message;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Messages with `from <= seq <= to` that the ring holds, oldest first. */
  range(from: number, to: number): Message[] {
    if (!this.count) return [];
    const lo = Math.max(from, this.oldestSeq);
    const hi = Math.min(to, this.newestSeq);
    const out: Message[] = [];
    for (let seq = lo; seq <= hi; seq++) out.push(this.at(seq - this.oldestSeq));
    return out;
  }

  /** The newest `limit` messages, oldest first. */
  newest(limit: number): Message[] {
    return limit > 0 ? this.range(this.newestSeq - limit + 1, this.newestSeq) : [];
  }

  /** Messages with seq > `after`: the newest `limit` of them, oldest first. */
  after(after: number, limit: number): Message[] {
    if (limit <= 0) return [];
    return this.range(Math.max(after + 1, this.newestSeq - limit + 1), this.newestSeq);
  }

  private at(index: number): Message {
    return this.slots[(this.start + index) % this.capacity] as Message;
  }
}
