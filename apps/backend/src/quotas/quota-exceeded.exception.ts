import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 in Nest's error shape whose message a person can read; the filter adds `Retry-After`. */
export class QuotaExceededException extends HttpException {
  constructor(
    message: string,
    /** Seconds until the call would be allowed again (at least 1). */
    readonly retryAfterS: number,
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }

  /** The 429 for a call `retryAfterMs` before it would be allowed; `message` gets that wait in words. */
  static after(retryAfterMs: number, message: (wait: string) => string): QuotaExceededException {
    return new QuotaExceededException(message(humanDuration(retryAfterMs)), Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
}

/** "12 minutes", "1 hour", "5 seconds": how long, rounded up, for a person. */
export function humanDuration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 60) return plural(s, 'second');
  const m = Math.ceil(s / 60);
  if (m < 60) return plural(m, 'minute');
  return plural(Math.ceil(m / 60), 'hour');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
