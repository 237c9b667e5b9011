import { openFileLimit, openFileLimitWarning } from './open-file-limit';

const limits = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units',
    `Max open files            ${soft}                ${hard}                files`,
  ].join('\n');

describe('openFileLimit', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    expect(openFileLimit(limits('20000', '20000'))).toBe(20000);
    expect(openFileLimit(limits('unlimited', 'unlimited'))).toBe(Infinity);
  });

  it('is null when it cannot tell', () => {
    expect(openFileLimit(null)).toBeNull();
    expect(openFileLimit('Max cpu time  unlimited unlimited seconds')).toBeNull();
  });

  it('reads this process’s own limit on Linux', () => {
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });
});

describe('openFileLimitWarning', () => {
  it('says what to raise, and to how much, when the limit is below what the server may hold', () => {
    expect(openFileLimitWarning(300, 100, 20000)).toBe(
      'open-file limit 20000 is below the 30000 connections this server may hold (MAX_ROOMS 300 × MAX_MEMBERS 100): ' +
        'connections past about 19936 will be refused. Raise it (ulimit -n, systemd LimitNOFILE, the container runtime’s nofile) to at least 30064.'.replace(
          '’',
          "'",
        ),
    );
  });

  it('is silent when the limit is enough or unknown', () => {
    expect(openFileLimitWarning(50, 100, 20000)).toBeNull();
    expect(openFileLimitWarning(300, 100, null)).toBeNull();
    expect(openFileLimitWarning(300, 100, Infinity)).toBeNull();
  });
});
