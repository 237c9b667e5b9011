import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { SESSION_TOKEN_ALGORITHM, TokenType, type SessionTokenClaims } from '@app/shared';

export type TokenCheck = { ok: true; claims: SessionTokenClaims } | { ok: false; reason: string };

/** A compact JWS: three base64url parts, the signature not empty. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** ES256 signature: r ‖ s, 32 bytes each (JWA, RFC 7518 §3.4). */
const ES256_SIGNATURE_BYTES = 64;

/**
 * Verifies session tokens: ES256 with the backend's public key, `typ` session (an access token is
 * refused), `aud` this server, a room, not expired. Expiry is checked here, when a socket opens, only.
 * The key comes from the environment or, when unset there, from the backend's heartbeat reply.
 *
 * It checks what jsonwebtoken's `verify` checked with `algorithms: ['ES256']` and `audience` (the
 * JWS form, header `alg`, a P-256 key, the signature, `nbf`, `exp`, `aud` as a string or an array),
 * with one `crypto.verify` call instead of jsonwebtoken's option copies, stream-based signature
 * check and DER conversion: the upgrade runs this once per connection and its garbage counted in
 * the memory per idle connection (~5 KB of the ~40 KB allocated per handshake).
 */
export class SessionTokenVerifier {
  private publicKey: string | null = null;
  /** Parsed once per key: parsing a PEM costs more than verifying a signature. */
  private keyObject: KeyObject | null = null;
  /** ES256 takes P-256 keys only (jsonwebtoken refused others at verify, so does this). */
  private keyIsP256 = false;
  private readonly pinned: boolean;

  constructor(
    private readonly serverId: string,
    /** A key from the environment wins over keys from heartbeats. */
    configuredKey?: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.pinned = Boolean(configuredKey);
    if (configuredKey) this.useKey(configuredKey);
  }

  /** True once there is a key to verify with. */
  get ready(): boolean {
    return this.publicKey !== null;
  }

  /** Takes a key from a heartbeat reply; returns true when it changed the key in use. */
  offerKey(pem: string): boolean {
    if (this.pinned || pem === this.publicKey) return false;
    this.useKey(pem);
    return true;
  }

  private useKey(pem: string): void {
    this.keyObject = parseKey(pem);
    this.keyIsP256 = this.keyObject.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    this.publicKey = pem;
  }

  verify(token: string): TokenCheck {
    if (!this.keyObject) return { ok: false, reason: 'no verification key yet' };
    if (typeof token !== 'string' || !COMPACT_JWS.test(token)) return { ok: false, reason: 'jwt malformed' };
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    const header = parsePart(token.slice(0, dot1));
    if (header === null) return { ok: false, reason: 'invalid token' };
    if (header.alg !== SESSION_TOKEN_ALGORITHM) return { ok: false, reason: 'invalid algorithm' };
    if (!this.keyIsP256) return { ok: false, reason: `"alg" parameter "${SESSION_TOKEN_ALGORITHM}" requires curve "prime256v1".` };
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
    if (signature.length !== ES256_SIGNATURE_BYTES) return { ok: false, reason: 'invalid signature' };
    let valid: boolean;
    try {
      valid = verifySignature('sha256', Buffer.from(token.slice(0, dot2), 'latin1'), { key: this.keyObject, dsaEncoding: 'ieee-p1363' }, signature);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    if (!valid) return { ok: false, reason: 'invalid signature' };
    const payload = parsePart(token.slice(dot1 + 1, dot2));
    if (payload === null) return { ok: false, reason: 'invalid payload' };
    const now = this.nowSeconds();
    if (payload.nbf !== undefined) {
      if (typeof payload.nbf !== 'number') return { ok: false, reason: 'invalid nbf value' };
      if (payload.nbf > now) return { ok: false, reason: 'jwt not active' };
    }
    if (payload.exp !== undefined) {
      if (typeof payload.exp !== 'number') return { ok: false, reason: 'invalid exp value' };
      if (now >= payload.exp) return { ok: false, reason: 'jwt expired' };
    }
    const aud = payload.aud;
    if (!(aud === this.serverId || (Array.isArray(aud) && aud.includes(this.serverId)))) {
      return { ok: false, reason: `jwt audience invalid. expected: ${this.serverId}` };
    }
    if (payload.typ !== TokenType.Session) return { ok: false, reason: 'not a session token' };
    if (typeof payload.exp !== 'number') return { ok: false, reason: 'token without expiry' };
    for (const claim of ['sub', 'name', 'room'] as const) {
      const value = payload[claim];
      if (typeof value !== 'string' || value.length === 0) return { ok: false, reason: `claim ${claim} missing` };
    }
    return {
      ok: true,
      claims: {
        typ: TokenType.Session,
        sub: payload.sub as string,
        name: payload.name as string,
        room: payload.room as string,
        aud: this.serverId,
      },
    };
  }
}

/** A base64url JSON object (header or claims), or null. */
function parsePart(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Fails early and clearly on a key that is not a PEM EC public key. */
function parseKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec') throw new Error('session token key must be an EC (P-256) public key');
  return key;
}
