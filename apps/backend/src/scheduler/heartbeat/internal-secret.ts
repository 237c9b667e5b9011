import { INTERNAL_SECRET_HEADER } from '@app/shared';
import { timingSafeEqual } from 'node:crypto';

/** Whether a request's headers carry the shared secret (compared in constant time). */
export function hasInternalSecret(headers: Record<string, unknown>, expected: Buffer): boolean {
  const given = headers[INTERNAL_SECRET_HEADER];
  const buf = Buffer.from(typeof given === 'string' ? given : '');
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}
