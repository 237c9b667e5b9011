import { createSecretKey, KeyObject } from 'node:crypto';
import { BackendConfig } from '../config/backend.config';

const keys = new WeakMap<BackendConfig, KeyObject>();

/**
 * JWT_SECRET as a KeyObject, made once: given a string, jsonwebtoken builds a key object on every
 * sign and verify, which costs twenty times the HMAC itself (measured: ~400 µs against ~20 µs).
 */
export function accessTokenKey(config: BackendConfig): KeyObject {
  let key = keys.get(config);
  if (!key) {
    key = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
    keys.set(config, key);
  }
  return key;
}
