import { humanDuration, QuotaExceededException } from './quota-exceeded.exception';

describe('humanDuration', () => {
  it('rounds up to the unit a person would use', () => {
    expect(humanDuration(1)).toBe('1 second');
    expect(humanDuration(4_200)).toBe('5 seconds');
    expect(humanDuration(59_000)).toBe('59 seconds');
    expect(humanDuration(60_000)).toBe('1 minute');
    expect(humanDuration(61_000)).toBe('2 minutes');
    expect(humanDuration(11 * 60_000 + 5)).toBe('12 minutes');
    expect(humanDuration(3_600_000)).toBe('1 hour');
    expect(humanDuration(3_600_001)).toBe('2 hours');
  });
});

it("QuotaExceededException is a 429 in Nest's error shape", () => {
  const e = new QuotaExceededException('Too many rooms created: at most 20 per hour. Try again in 12 minutes.', 700);
  expect(e.getStatus()).toBe(429);
  expect(e.getResponse()).toEqual({
    statusCode: 429,
    message: 'Too many rooms created: at most 20 per hour. Try again in 12 minutes.',
    error: 'Too Many Requests',
  });
});
