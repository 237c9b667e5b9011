import { describeState, formatMessage } from './message-format';

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
});
