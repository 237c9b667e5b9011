import { FrameRateLimiter } from './frame-rate-limiter';

describe('FrameRateLimiter', () => {
  let now: number;
  const make = () => new FrameRateLimiter({ perSecond: 10, burst: 40, floodAfter: 50 }, () => now);
  const run = (limiter: FrameRateLimiter, n: number) => Array.from({ length: n }, () => limiter.check());

  beforeEach(() => (now = 5_000));

  it('lets a burst of 40 through at once, then limits', () => {
    const limiter = make();
    const verdicts = run(limiter, 41);
    expect(verdicts.slice(0, 40).every((v) => v === 'ok')).toBe(true);
    expect(verdicts[40]).toBe('limited');
  });

  it('refills at 10 per second', () => {
    const limiter = make();
    run(limiter, 40);
    now += 100;
    expect(limiter.check()).toBe('ok');
    expect(limiter.check()).toBe('limited');
    now += 1000;
    expect(run(limiter, 10).every((v) => v === 'ok')).toBe(true);
    expect(limiter.check()).toBe('limited');
  });

  it('never stores more than the burst', () => {
    const limiter = make();
    now += 60_000;
    expect(run(limiter, 41).filter((v) => v === 'ok')).toHaveLength(40);
  });

  it('reports a flood at the 50th limited frame in a row, and an accepted frame resets the run', () => {
    const limiter = make();
    run(limiter, 40);
    expect(run(limiter, 49).every((v) => v === 'limited')).toBe(true);
    now += 100; // one token back
    expect(limiter.check()).toBe('ok');
    expect(run(limiter, 49).every((v) => v === 'limited')).toBe(true);
    expect(limiter.check()).toBe('flood');
  });

  it('sustains exactly the rate without ever limiting', () => {
    const limiter = make();
    for (let i = 0; i < 200; i++) {
      now += 100;
      expect(limiter.check()).toBe('ok');
    }
  });
});
