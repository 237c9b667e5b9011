import type { Message } from '@app/shared';
import { GROUP_BREAK_MS, groupMessages, toTimeline } from './message-grouping';

const ME = { id: 'me', name: 'Me' };
const T0 = 1_700_000_000_000;

function m(seq: number, userId: string, ts = T0 + seq * 1000): Message {
  return { seq, id: `c${seq}`, userId, name: userId.toUpperCase(), text: `t${seq}`, ts };
}

describe('message grouping', () => {
  it('groups consecutive messages of one author', () => {
    const entries = toTimeline([m(1, 'ann'), m(2, 'ann'), m(3, 'bob'), m(4, 'ann'), m(5, 'ann')], [], ME);
    const groups = groupMessages(entries, ME.id);
    expect(groups.map((g) => [g.name, g.entries.map((e) => e.seq)])).toEqual([
      ['ANN', [1, 2]],
      ['BOB', [3]],
      ['ANN', [4, 5]],
    ]);
    expect(groups[0].startedAt).toBe(T0 + 1000);
  });

  it('starts a new group after a long pause', () => {
    const entries = toTimeline([m(1, 'ann', T0), m(2, 'ann', T0 + GROUP_BREAK_MS + 1), m(3, 'ann', T0 + GROUP_BREAK_MS + 2)], [], ME);
    expect(groupMessages(entries, ME.id).map((g) => g.entries.length)).toEqual([1, 2]);
  });

  it('appends my pending messages to my own group and marks them', () => {
    const entries = toTimeline([m(1, 'bob'), m(2, 'me')], [{ clientMsgId: 'p1', text: 'pending', createdAt: T0 + 5000 }], ME);
    const groups = groupMessages(entries, ME.id);
    expect(groups).toHaveLength(2);
    expect(groups[1].mine).toBe(true);
    expect(groups[1].entries.map((e) => [e.text, e.pending])).toEqual([
      ['t2', false],
      ['pending', true],
    ]);
    expect(groups[0].mine).toBe(false);
  });

  it('keys a message the same while pending and once confirmed, and never shows it twice', () => {
    const pending = [{ clientMsgId: 'abc', text: 'hi', createdAt: T0 }];
    const before = toTimeline([], pending, ME);
    const confirmed: Message = { seq: 1, id: 'abc', userId: 'me', name: 'Me', text: 'hi', ts: T0 };
    const after = toTimeline([confirmed], pending, ME);
    expect(after).toHaveLength(1);
    expect(after[0].key).toBe(before[0].key);
    expect(after[0].pending).toBe(false);
  });

  it('returns no groups for no messages', () => {
    expect(groupMessages([], null)).toEqual([]);
  });
});
