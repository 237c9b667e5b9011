import { createHmac, timingSafeEqual } from 'node:crypto';

// Server-only (node:crypto): imported by path, never through the package index the browser reads.

/**
 * The MAC the backend's heartbeat reply carries beside the session token key: HMAC-SHA256 of the
 * PEM, keyed by INTERNAL_SECRET, base64url. A session server takes a key from a reply only when the
 * MAC matches, so whoever answers its heartbeats without the secret (a rogue or spoofed backend)
 * cannot make it accept session tokens that backend signed.
 */
export function sessionKeyMac(internalSecret: string, publicKeyPem: string): string {
  return createHmac('sha256', internalSecret).update(publicKeyPem, 'utf8').digest('base64url');
}

/** Whether `mac` vouches for `publicKeyPem` under `internalSecret` (compared in constant time). */
export function isVouchedKey(internalSecret: string, publicKeyPem: string, mac: unknown): boolean {
  if (typeof mac !== 'string') return false;
  const expected = Buffer.from(sessionKeyMac(internalSecret, publicKeyPem));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
