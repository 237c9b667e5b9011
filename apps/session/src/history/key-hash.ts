import { randomBytes } from 'node:crypto';

/**
 * Seed of this process's key hashes: clients choose their clientMsgIds, and with a fixed hash they
 * could pick ids that all land in one bucket and make every de-duplication look-up walk a long chain.
 */
const SEED = randomBytes(4).readUInt32LE(0);

/** A 32-bit FNV-1a hash of a string's UTF-16 code units, seeded per process. */
export function keyHash(key: string): number {
  let hash = (0x811c9dc5 ^ SEED) >>> 0;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
