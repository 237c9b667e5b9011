import { randomBytes } from 'node:crypto';

/**
 * Seed of this process's key hashes: clients choose their clientMsgIds, and with a fixed hash they
 * could pick ids that all land in one bucket and make every de-duplication look-up walk a long chain.
 */
const SEED = randomBytes(4).readUInt32LE(0);

/**
 * A 32-bit hash of a string's UTF-16 code units: seeded FNV-1a, then MurmurHash3's finaliser.
 * Buckets are the hash's low bits, and FNV-1a's low bits never depend on its high bits: ids built
 * so that their FNV values differ only in high bits share a bucket whatever the seed. The
 * finaliser makes every output bit depend on every input bit. Not a cryptographic hash: the
 * chains it can lengthen are bounded by the log's capacity, and clients by their frame rate.
 */
export function keyHash(key: string): number {
  let hash = (0x811c9dc5 ^ SEED) >>> 0;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
