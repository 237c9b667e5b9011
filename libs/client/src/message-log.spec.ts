import { MessageLog } from './message-log';
import { msg } from './testing/fake-transport';

describe('MessageLog', () => {
  it('holds each seq once, in order, and reports only what is new', () => {
    const log = new MessageLog();
    expect(log.add([msg(3), msg(4)]).map((m) => m.seq)).toEqual([3, 4]);
    expect(log.add([msg(4), msg(5), msg(5)]).map((m) => m.seq)).toEqual([5]);
    expect(log.add([msg(1), msg(2), msg(3)]).map((m) => m.seq)).toEqual([1, 2]);
    expect(log.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.oldestSeq).toBe(1);
    expect(log.newestSeq).toBe(5);
  });

  it('gives a new array on change and the same one otherwise', () => {
    const log = new MessageLog();
    log.add([msg(1)]);
    const before = log.messages;
    log.add([msg(1)]);
    expect(log.messages).toBe(before);
    log.add([msg(2)]);
    expect(log.messages).not.toBe(before);
  });

  it('applies edits, deletions and reactions to the held copy', () => {
    const log = new MessageLog();
    log.add([msg(1), msg(2)]);
    expect(log.applyEdit({ seq: 1, text: 'new', editedAt: 9, rev: 3 })).toMatchObject({ text: 'new', editedAt: 9, rev: 3 });
    log.applyReaction({ seq: 2, emoji: '👍', userId: 'a', on: true, rev: 4 });
    log.applyReaction({ seq: 2, emoji: '👍', userId: 'b', on: true, rev: 5 });
    log.applyReaction({ seq: 2, emoji: '👍', userId: 'a', on: false, rev: 6 });
    expect(log.get(2)?.reactions).toEqual({ '👍': ['b'] });
    expect(log.applyDelete({ seq: 2, rev: 7 })).toMatchObject({ text: '', deleted: true, rev: 7 });
    expect(log.get(2)?.reactions).toBeUndefined();
    expect(log.applyEdit({ seq: 99, text: 'x', editedAt: 1, rev: 8 })).toBeUndefined();
  });
});
