/**
 * `REDIS_KEY_PREFIX` as every adapter joins it to its key names: empty, or ending in ':'. Adapters
 * that read each other's keys (the get-or-start script counts the quota and records the user's room
 * under the same keys as the quota counter and the room list) must agree on it.
 */
export function normalizeKeyPrefix(keyPrefix: string): string {
  return keyPrefix === '' || keyPrefix.endsWith(':') ? keyPrefix : `${keyPrefix}:`;
}
