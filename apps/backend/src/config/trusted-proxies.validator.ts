import { isIP } from 'node:net';
import { ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Fastify (proxy-addr) reads it: one hop count on its own, or addresses, CIDR ranges
 * and named ranges. Checked here because proxy-addr is lenient where it matters: a number in a list
 * is taken as an address (`1` becomes 0.0.0.1), and some malformed entries only fail when the
 * server starts.
 */
@ValidatorConstraint({ name: 'trustedProxies' })
export class TrustedProxies implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (!Array.isArray(value)) return false;
    const hops = proxyHops(value);
    if (hops !== null) return hops >= 1;
    return value.every((entry) => typeof entry === 'string' && (NAMED_RANGES.has(entry) || isAddressOrRange(entry)));
  }

  defaultMessage(): string {
    return 'TRUST_PROXY must be one hop count (1-999), or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal';
  }
}

/** The hop count TRUST_PROXY names (one number on its own), or null when it lists addresses. */
export function proxyHops(list: readonly unknown[]): number | null {
  return list.length === 1 && /^\d{1,3}$/.test(String(list[0])) ? Number(list[0]) : null;
}

function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
