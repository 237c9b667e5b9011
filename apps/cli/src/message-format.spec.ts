import { describeState, formatChange, formatMessage } from './message-format';

describe('message lines', () => {
  const base = { seq: 1, id: 'x', userId: 'u', name: 'Ada', text: 'hi', ts: new Date(2026, 0, 1, 9, 5).getTime() };

  it('shows time, sender and text; continuation lines indented; edits and deletions marked', () => {
    expect(formatMessage(base)).toBe('[09:05] Ada: hi');
    expect(formatMessage({ ...base, text: 'a\nb' })).toBe('[09:05] Ada: a\n        b');
    expect(formatMessage({ ...base, editedAt: 5 })).toBe('[09:05] Ada: hi (edited)');
    expect(formatMessage({ ...base, text: '', deleted: true })).toBe('[09:05] Ada: (deleted)');
  });

  it('says what a person needs to know about the connection', () => {
    expect(describeState({ status: 'reconnecting', attempt: 2, delayMs: 1500, nextRetryAt: 0, reason: 'closed with 1006' })).toBe(
      '* connection lost (closed with 1006); reconnecting, attempt 2 in 1.5 s',
    );
    expect(describeState({ status: 'live', serverId: 's2' })).toBe('* connected (server s2)');
    expect(describeState({ status: 'closed', reason: 'closed by the client' })).toBeNull();
    expect(describeState({ status: 'closed', reason: 'unauthorized' })).toMatch(/rooms login/);
  });

  it('says each change once, plainly, naming the message by its text', () => {
    const at = new Date(2026, 0, 1, 9, 7).getTime();
    const names = (id: string) => (id === 'b' ? 'Bob' : id);
    const edited = { ...base, text: 'hello', editedAt: at };
    expect(formatChange({ kind: 'edited', frame: { seq: 1, text: 'hello', editedAt: at, rev: 2 }, message: edited, before: 'helo' }, names)).toBe(
      '[09:07] Ada edited "helo" → "hello"',
    );
    expect(formatChange({ kind: 'deleted', frame: { seq: 1, rev: 3 }, message: { ...base, text: '', deleted: true }, before: 'hi' }, names, at)).toBe(
      '[09:07] Ada deleted "hi"',
    );
    expect(formatChange({ kind: 'reaction', frame: { seq: 1, emoji: '👍', userId: 'b', on: true, rev: 4 }, message: base }, names, at)).toBe(
      '[09:07] Bob reacted 👍 to Ada\'s "hi"',
    );
    expect(formatChange({ kind: 'reaction', frame: { seq: 1, emoji: '👍', userId: 'b', on: false, rev: 5 }, message: base }, names, at)).toBe(
      '[09:07] Bob took back 👍 from Ada\'s "hi"',
    );
  });
});
