import type { Message } from '@app/shared';
import { keyHash } from './key-hash';

export interface MessageLogOptions {
  /**
   * Keep each record's key (a message's clientMsgId) and an index on it, for `seqOfKey`. A room's
   * ring needs it (de-duplication); a store's history does not.
   */
  keyed?: boolean;
  /** Starting size of the byte buffer; it grows and shrinks with what the log holds. */
  initialBytes?: number;
  /** Starting number of index slots; they grow up to `capacity`. */
  initialSlots?: number;
}

const NONE = 0;
const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const DEFAULT_INITIAL_BYTES = 16 * 1024;
const DEFAULT_INITIAL_SLOTS = 64;

/**
 * The newest `capacity` messages of a room, with consecutive seqs, each kept as its JSON text in
 * one byte buffer outside the V8 heap, plus typed arrays that index them by seq.
 *
 * Why not an array of messages (or of JSON strings): a message lives here for seconds to minutes,
 * long enough for V8 to promote it to the old generation, where it dies soon after. At thousands of
 * messages a second that is megabytes of old-generation garbage a second, and the full GCs that
 * collect it stalled a session server's event loop for hundreds of milliseconds (docs/bench). Here a
 * message costs the GC nothing: a Buffer's bytes and a typed array's elements are not traced, and a
 * log is a handful of objects however much it holds.
 *
 * Bytes: records are written one after the other from `head`; when the buffer's end is reached the
 * live records are moved to its start (and the buffer grown or shrunk so that a quarter of it stays
 * free), so each byte written is copied a few times at most. Offsets are logical (they only grow),
 * so a move rewrites no index: physical = logical - `base`.
 */
export class MessageLog {
  readonly capacity: number;
  private readonly keyed: boolean;
  private readonly minBytes: number;
  private bytes: Buffer;
  /** Logical offset of bytes[0]. */
  private base = 0;
  /** Logical offset where the next record goes. */
  private head = 0;
  /** Seq of the oldest record, NONE when empty. */
  private first = NONE;
  private count = 0;
  /** Index slots; the record of `seq` is in slot `seq % slots` (seqs are consecutive). */
  private slots: number;
  private offsets: Float64Array;
  private keyBytes: Uint16Array;
  private jsonBytes: Uint32Array;
  /** Keyed only: the key's hash per slot, a chain link per slot (next older seq), chain heads. */
  private hashes: Uint32Array | null = null;
  private chain: Float64Array | null = null;
  private buckets: Float64Array | null = null;

  constructor(capacity: number, options: MessageLogOptions = {}) {
    if (!(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity >= 1))) {
      throw new RangeError('capacity must be a positive integer');
    }
    this.capacity = capacity;
    this.keyed = options.keyed ?? false;
    this.minBytes = Math.max(64, options.initialBytes ?? DEFAULT_INITIAL_BYTES);
    this.bytes = Buffer.allocUnsafeSlow(this.minBytes);
    this.slots = Math.min(capacity, Math.max(1, options.initialSlots ?? DEFAULT_INITIAL_SLOTS));
    this.offsets = new Float64Array(this.slots);
    this.keyBytes = new Uint16Array(this.slots);
    this.jsonBytes = new Uint32Array(this.slots);
    if (this.keyed) this.buildKeyIndex();
  }

  get size(): number {
    return this.count;
  }

  /** Seq of the oldest message held, 0 when empty. */
  get oldestSeq(): number {
    return this.first;
  }

  /** Seq of the newest message held, 0 when empty. */
  get newestSeq(): number {
    return this.count ? this.first + this.count - 1 : NONE;
  }

  /** Bytes the log's buffer takes now (its tests check that it follows what the log holds). */
  get bufferBytes(): number {
    return this.bytes.length;
  }

  /**
   * Adds the message `seq` (the one after `newestSeq`, any seq when empty): `json` is its JSON
   * text, as a string or as UTF-8 bytes (copied); `key` its clientMsgId in a keyed log. The oldest
   * message falls out when the log is full. Keys are kept as UTF-16 code units, not UTF-8: any
   * string comes back exactly, lone surrogates included (UTF-8 would turn them into U+FFFD, and
   * such an id would never be found again).
   */
  push(seq: number, json: string | Uint8Array, key = ''): void {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`seq must be a positive integer, got ${seq}`);
    if (this.count && seq !== this.first + this.count) {
      throw new RangeError(`seq ${seq} does not follow ${this.newestSeq}`);
    }
    const keyLength = this.keyed ? key.length * 2 : 0;
    if (keyLength > 0xffff) throw new RangeError('key longer than 32767 UTF-16 code units');
    if (this.count === this.capacity) this.dropOldest();
    else if (this.count === this.slots) this.growSlots();
    const jsonLength = typeof json === 'string' ? Buffer.byteLength(json) : json.length;
    this.reserve(keyLength + jsonLength);

    let at = this.head - this.base;
    if (keyLength) this.bytes.write(key, at, keyLength, 'utf16le');
    at += keyLength;
    if (typeof json === 'string') this.bytes.write(json, at, jsonLength, 'utf8');
    else this.bytes.set(json, at);

    if (!this.count) this.first = seq;
    const slot = seq % this.slots;
    this.offsets[slot] = this.head;
    this.keyBytes[slot] = keyLength;
    this.jsonBytes[slot] = jsonLength;
    this.head += keyLength + jsonLength;
    this.count++;
    if (this.keyed) this.link(seq, slot, keyHash(key));
  }

  /** The JSON text of message `seq`, which the log must hold. */
  json(seq: number): string {
    const slot = this.slotOf(seq);
    const at = this.jsonStart(slot);
    return this.bytes.toString('utf8', at, at + this.jsonBytes[slot]);
  }

  /** Messages with `from <= seq <= to` that the log holds, oldest first (parsed). */
  range(from: number, to: number): Message[] {
    const out: Message[] = [];
    if (!this.count) return out;
    const hi = Math.min(to, this.newestSeq);
    for (let seq = Math.max(from, this.first); seq <= hi; seq++) out.push(JSON.parse(this.json(seq)) as Message);
    return out;
  }

  /**
   * The held messages with `from <= seq <= to`, oldest first, as the UTF-8 bytes of a JSON array:
   * copied from the log, not parsed and encoded again (a welcome carries up to RESUME_LIMIT).
   */
  jsonArray(from: number, to: number): Buffer {
    const lo = Math.max(from, this.first);
    const hi = Math.min(to, this.newestSeq);
    if (!this.count || lo > hi) return Buffer.from('[]');
    // Sized exactly first, so the array is written once into one allocation.
    let size = hi - lo + 2;
    for (let seq = lo; seq <= hi; seq++) size += this.jsonBytes[seq % this.slots];
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    out[at++] = OPEN_BRACKET;
    for (let seq = lo; seq <= hi; seq++) {
      if (seq > lo) out[at++] = COMMA;
      const slot = seq % this.slots;
      const start = this.jsonStart(slot);
      at += this.bytes.copy(out, at, start, start + this.jsonBytes[slot]);
    }
    out[at] = CLOSE_BRACKET;
    return out;
  }

  /** The newest `limit` messages, oldest first. */
  newest(limit: number): Message[] {
    return this.after(0, limit);
  }

  /** Messages with seq > `after`: the newest `limit` of them, oldest first. */
  after(after: number, limit: number): Message[] {
    return limit > 0 ? this.range(this.windowStart(after, limit), this.newestSeq) : [];
  }

  /** The messages `after(after, limit)` gives, as `jsonArray` gives them (a welcome's). */
  afterJson(after: number, limit: number): Buffer {
    return this.jsonArray(limit > 0 ? this.windowStart(after, limit) : this.newestSeq + 1, this.newestSeq);
  }

  /** Messages with seq < `before`: the newest `limit` of them, oldest first. */
  before(before: number, limit: number): Message[] {
    if (limit <= 0) return [];
    const hi = Math.min(before - 1, this.newestSeq);
    return this.range(hi - limit + 1, hi);
  }

  /** Seq of the newest message held whose key is `key` (keyed logs), 0 when none. */
  seqOfKey(key: string): number {
    const { buckets, hashes, chain } = this;
    if (!buckets || !hashes || !chain || !this.count) return NONE;
    const hash = keyHash(key);
    let seq = buckets[hash & (buckets.length - 1)];
    // A chain links held records only, so it is never longer than `count`: the bound turns a
    // corrupted index into a wrong answer instead of a room's event loop spinning forever.
    for (let steps = 0; seq !== NONE && steps < this.count; steps++) {
      const slot = seq % this.slots;
      if (hashes[slot] === hash && this.keyAt(slot) === key) return seq;
      seq = chain[slot];
    }
    return NONE;
  }

  /**
   * Links in the key index, walked bucket by bucket (each walk bounded): equal to `size` when the
   * index is consistent. A stale link would not change `seqOfKey`'s answers, only make its walks
   * longer, so tests check this instead.
   */
  indexLinks(): number {
    const { buckets, chain } = this;
    if (!buckets || !chain) return 0;
    let links = 0;
    for (let bucket = 0; bucket < buckets.length; bucket++) {
      let seq = buckets[bucket];
      for (let steps = 0; seq !== NONE && steps <= this.count; steps++) {
        links++;
        seq = chain[seq % this.slots];
      }
    }
    return links;
  }

  /** First seq of the newest `limit` messages with seq > `after`. */
  private windowStart(after: number, limit: number): number {
    return Math.max(after + 1, this.newestSeq - limit + 1);
  }

  private slotOf(seq: number): number {
    if (!this.count || seq < this.first || seq > this.newestSeq) throw new RangeError(`seq ${seq} is not held`);
    return seq % this.slots;
  }

  /** Where the JSON of the record in `slot` starts in `bytes` (after its key). */
  private jsonStart(slot: number): number {
    return this.offsets[slot] - this.base + this.keyBytes[slot];
  }

  private keyAt(slot: number): string {
    const at = this.offsets[slot] - this.base;
    return this.bytes.toString('utf16le', at, at + this.keyBytes[slot]);
  }

  private dropOldest(): void {
    const seq = this.first;
    if (this.keyed) this.unlink(seq, seq % this.slots);
    this.count--;
    this.first = this.count ? seq + 1 : NONE;
  }

  /** Makes room for `length` more bytes at `head`: moves the live records to the start, resizing. */
  private reserve(length: number): void {
    if (this.head - this.base + length <= this.bytes.length) return;
    const tail = this.count ? this.offsets[this.first % this.slots] : this.head;
    const live = this.head - tail;
    const need = live + length;
    let size = this.bytes.length;
    if (need > size * 0.75) size = nextPowerOfTwo(Math.ceil(need * 1.5));
    else if (size > this.minBytes && need * 4 < size) size = Math.max(this.minBytes, nextPowerOfTwo(need * 2));
    const from = tail - this.base;
    if (size === this.bytes.length) {
      this.bytes.copy(this.bytes, 0, from, from + live);
    } else {
      const bytes = Buffer.allocUnsafeSlow(size);
      this.bytes.copy(bytes, 0, from, from + live);
      this.bytes = bytes;
    }
    this.base = tail;
  }

  private growSlots(): void {
    const slots = Math.min(this.capacity, this.slots * 2);
    const offsets = new Float64Array(slots);
    const keyBytes = new Uint16Array(slots);
    const jsonBytes = new Uint32Array(slots);
    const hashes = this.hashes ? new Uint32Array(slots) : null;
    for (let seq = this.first; seq < this.first + this.count; seq++) {
      const from = seq % this.slots;
      const to = seq % slots;
      offsets[to] = this.offsets[from];
      keyBytes[to] = this.keyBytes[from];
      jsonBytes[to] = this.jsonBytes[from];
      if (hashes && this.hashes) hashes[to] = this.hashes[from];
    }
    this.slots = slots;
    this.offsets = offsets;
    this.keyBytes = keyBytes;
    this.jsonBytes = jsonBytes;
    if (hashes) this.buildKeyIndex(hashes);
  }

  /** (Re)builds the key index for the current slots; `hashes` are the held records' key hashes. */
  private buildKeyIndex(hashes = new Uint32Array(this.slots)): void {
    this.hashes = hashes;
    this.chain = new Float64Array(this.slots);
    this.buckets = new Float64Array(nextPowerOfTwo(this.slots * 2));
    for (let seq = this.first; seq < this.first + this.count; seq++) {
      const slot = seq % this.slots;
      this.link(seq, slot, hashes[slot]);
    }
  }

  private link(seq: number, slot: number, hash: number): void {
    const buckets = this.buckets!;
    const bucket = hash & (buckets.length - 1);
    this.hashes![slot] = hash;
    this.chain![slot] = buckets[bucket];
    buckets[bucket] = seq;
  }

  /** Takes `seq` out of its bucket's chain; it is the oldest record, so it is the chain's last. */
  private unlink(seq: number, slot: number): void {
    const buckets = this.buckets!;
    const chain = this.chain!;
    const bucket = this.hashes![slot] & (buckets.length - 1);
    if (buckets[bucket] === seq) {
      buckets[bucket] = chain[slot];
      return;
    }
    let prev = buckets[bucket];
    for (let steps = 0; prev !== NONE && steps <= this.count; steps++) {
      const prevSlot = prev % this.slots;
      if (chain[prevSlot] === seq) {
        chain[prevSlot] = chain[slot];
        return;
      }
      prev = chain[prevSlot];
    }
  }
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
