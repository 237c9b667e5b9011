import { relativeTime } from './relative-time';

describe('relativeTime', () => {
  const now = 1_700_000_000_000;
  it('says how long ago within a day', () => {
    expect(relativeTime(now - 1000, now)).toBe('just now');
    expect(relativeTime(now + 5000, now)).toBe('just now');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
  });

  it('gives the date beyond a day', () => {
    expect(relativeTime(now - 2 * 86_400_000, now)).toMatch(/2023/);
  });
});
