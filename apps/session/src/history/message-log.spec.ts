import type { Message } from '@app/shared';
import { MessageLog } from './message-log';

const msg = (seq: number, text = `text ${seq}`): Message => ({
  seq,
  id: `c-${seq}`,
  userId: `u-${seq % 3}`,
  name: `User ${seq % 3}`,
  text,
  ts: 1_700_000_000_000 + seq,
});
const seqs = (list: Message[]) => list.map((m) => m.seq);

function fill(log: MessageLog, from: number, to: number, text?: (seq: number) => string): void {
  for (let seq = from; seq <= to; seq++) {
    const m = msg(seq, text?.(seq));
    log.push(seq, JSON.stringify(m), m.id);
  }
}

describe('MessageLog', () => {
  it('holds the newest `capacity` messages and gives them back exactly, oldest first', () => {
    const log = new MessageLog(5);
    expect(log.size).toBe(0);
    expect(log.oldestSeq).toBe(0);
    expect(log.newestSeq).toBe(0);
    fill(log, 1, 8);
    expect(log.size).toBe(5);
    expect(log.oldestSeq).toBe(4);
    expect(log.newestSeq).toBe(8);
    expect(log.range(0, 100)).toEqual([4, 5, 6, 7, 8].map((s) => msg(s)));
  });

  it('reads ranges, the newest n, after a seq and before a seq', () => {
    const log = new MessageLog(100);
    fill(log, 1, 10);
    expect(seqs(log.range(3, 5))).toEqual([3, 4, 5]);
    expect(seqs(log.newest(3))).toEqual([8, 9, 10]);
    expect(seqs(log.newest(0))).toEqual([]);
    expect(seqs(log.after(7, 100))).toEqual([8, 9, 10]);
    expect(seqs(log.after(0, 2))).toEqual([9, 10]);
    expect(seqs(log.after(10, 5))).toEqual([]);
    expect(seqs(log.before(6, 2))).toEqual([4, 5]);
    expect(seqs(log.before(3, 50))).toEqual([1, 2]);
    expect(seqs(log.before(1, 50))).toEqual([]);
    expect(seqs(log.before(1000, 3))).toEqual([8, 9, 10]);
  });

  it('copies a range out as the bytes of a JSON array, without parsing', () => {
    const log = new MessageLog(4);
    expect(log.jsonArray(1, 10).toString()).toBe('[]');
    fill(log, 1, 6, (seq) => `tëxt ${seq} 🎉`);
    const all = [3, 4, 5, 6].map((s) => msg(s, `tëxt ${s} 🎉`));
    expect(JSON.parse(log.jsonArray(0, 100).toString('utf8'))).toEqual(all);
    expect(JSON.parse(log.jsonArray(5, 5).toString('utf8'))).toEqual([all[2]]);
    expect(log.jsonArray(7, 100).toString()).toBe('[]');
    expect(log.jsonArray(5, 4).toString()).toBe('[]');
  });

  it('gives after()’s messages as JSON bytes too (afterJson)', () => {
    const log = new MessageLog(100);
    fill(log, 1, 10);
    for (const [after, limit] of [
      [7, 100],
      [0, 2],
      [0, 0],
      [10, 5],
      [3, -1],
      [-5, 3],
    ]) {
      expect(JSON.parse(log.afterJson(after, limit).toString('utf8'))).toEqual(log.after(after, limit));
    }
    expect(new MessageLog(4).afterJson(0, 5).toString()).toBe('[]');
  });

  it('starts at any seq when empty, then refuses a seq that does not follow', () => {
    const log = new MessageLog(10);
    log.push(41, JSON.stringify(msg(41)));
    expect(log.oldestSeq).toBe(41);
    expect(() => log.push(43, JSON.stringify(msg(43)))).toThrow('seq 43 does not follow 41');
    expect(() => log.push(41, JSON.stringify(msg(41)))).toThrow('does not follow');
    expect(() => log.push(0, '{}')).toThrow(RangeError);
    expect(() => log.push(1.5, '{}')).toThrow(RangeError);
    expect(() => log.json(40)).toThrow('seq 40 is not held');
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new MessageLog(0)).toThrow(RangeError);
    expect(() => new MessageLog(2.5)).toThrow(RangeError);
    expect(() => new MessageLog(Number.NaN)).toThrow(RangeError);
    expect(new MessageLog(Number.POSITIVE_INFINITY).capacity).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes the JSON as UTF-8 bytes too, and keeps multi-byte and astral text exact', () => {
    const log = new MessageLog(10);
    const m = { ...msg(1), name: 'Zoë 🐙', text: 'line one\nline\ttwo 🎉 ✓ 日本語' };
    const frame = Buffer.from(`{"event":"message","data":${JSON.stringify(m)}}`);
    log.push(1, frame.subarray(26, frame.length - 1), m.id);
    expect(log.json(1)).toBe(JSON.stringify(m));
    expect(log.range(1, 1)).toEqual([m]);
  });

  it('grows its buffer and index past their starting sizes with nothing lost (unbounded capacity)', () => {
    const log = new MessageLog(Number.POSITIVE_INFINITY, { initialBytes: 64, initialSlots: 1 });
    fill(log, 1, 3000, (seq) => `message ${seq} `.repeat((seq % 7) + 1));
    expect(log.size).toBe(3000);
    expect(log.range(1, 3000)).toEqual(Array.from({ length: 3000 }, (_, i) => msg(i + 1, `message ${i + 1} `.repeat(((i + 1) % 7) + 1))));
  });

  it('keeps its buffer near what it holds when messages shrink, and stays exact across moves', () => {
    const log = new MessageLog(50, { initialBytes: 1024 });
    fill(log, 1, 200, () => 'x'.repeat(2000));
    const big = log.bufferBytes;
    expect(big).toBeGreaterThanOrEqual(50 * 2000);
    fill(log, 201, 2000, (seq) => `short ${seq}`);
    expect(log.bufferBytes).toBeLessThan(big / 8);
    expect(log.range(0, 5000)).toEqual(Array.from({ length: 50 }, (_, i) => msg(1951 + i, `short ${1951 + i}`)));
  });

  describe('keyed (clientMsgId index)', () => {
    it('finds the seq of a key it holds, and forgets keys that fell out', () => {
      const log = new MessageLog(100, { keyed: true, initialSlots: 2 });
      fill(log, 1, 250);
      expect(log.seqOfKey('c-250')).toBe(250);
      expect(log.seqOfKey('c-151')).toBe(151);
      expect(log.seqOfKey('c-150')).toBe(0);
      expect(log.seqOfKey('c-1')).toBe(0);
      expect(log.seqOfKey('never')).toBe(0);
    });

    it('answers the newest seq of a key held twice, and the older one once the newer is gone', () => {
      const log = new MessageLog(3, { keyed: true });
      log.push(1, '{"seq":1}', 'same');
      log.push(2, '{"seq":2}', 'other');
      log.push(3, '{"seq":3}', 'same');
      expect(log.seqOfKey('same')).toBe(3);
      log.push(4, '{"seq":4}', 'x');
      expect(log.seqOfKey('same')).toBe(3);
      expect(log.seqOfKey('other')).toBe(2);
    });

    it('tells keys apart by their text, also multi-byte ones and ones whose hashes collide in a small table', () => {
      const log = new MessageLog(1000, { keyed: true, initialSlots: 1 });
      const keys = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `ключ-${i}-🔑` : `k${i}`));
      keys.forEach((key, i) => log.push(i + 1, `{"n":${i}}`, key));
      keys.forEach((key, i) => expect(log.seqOfKey(key)).toBe(i + 1));
      expect(log.seqOfKey('ключ-1-🔑x')).toBe(0);
      expect(log.seqOfKey('')).toBe(0);
    });

    it('agrees with a plain model after every push: repeated keys, drops, slot growth (seeded random)', () => {
      let state = 42;
      const random = () => ((state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
      for (const capacity of [1, 2, 7, 64]) {
        const log = new MessageLog(capacity, { keyed: true, initialSlots: 1 });
        const pool = ['a', 'b', 'c', 'ключ', '🔑', '\ud800', '\udc00', ''];
        const held: Array<{ seq: number; key: string }> = [];
        for (let seq = 1; seq <= 1500; seq++) {
          const key = random() < 0.8 ? pool[Math.floor(random() * pool.length)] : `unique-${seq}`;
          log.push(seq, `{"seq":${seq}}`, key);
          held.push({ seq, key });
          if (held.length > capacity) held.shift();
          for (const probe of [...pool, key, `unique-${seq - capacity}`]) {
            const expected = [...held].reverse().find((h) => h.key === probe)?.seq ?? 0;
            expect(log.seqOfKey(probe)).toBe(expected);
          }
          expect(log.indexLinks()).toBe(log.size);
        }
      }
    });

    it('tells apart keys UTF-8 could not (lone surrogates)', () => {
      const log = new MessageLog(10, { keyed: true });
      log.push(1, '{}', '\ud800');
      log.push(2, '{}', '\ud801');
      expect(log.seqOfKey('\ud800')).toBe(1);
      expect(log.seqOfKey('\ud801')).toBe(2);
      expect(log.seqOfKey('\ufffd')).toBe(0);
    });

    it('refuses a key too long to index before changing anything', () => {
      const log = new MessageLog(2, { keyed: true });
      log.push(1, '{}', 'a');
      log.push(2, '{}', 'b');
      expect(() => log.push(3, '{}', 'k'.repeat(40_000))).toThrow(RangeError);
      expect(log.size).toBe(2);
      expect(log.seqOfKey('a')).toBe(1);
    });

    it('an unkeyed log finds no keys', () => {
      const log = new MessageLog(10);
      log.push(1, '{}', 'a');
      expect(log.seqOfKey('a')).toBe(0);
    });
  });
});
