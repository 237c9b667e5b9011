import { DEFAULT_ROOM_KIND, SESSION_TOKEN_ALGORITHM, SessionTokenClaims, TokenType, UserRef, type RoomKindName } from '@app/shared';
import { Injectable, Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as signBytes } from 'node:crypto';
import { BackendConfig } from '../config/backend.config';

/** The JOSE header of every session token, base64url-encoded once. */
const HEADER = Buffer.from(JSON.stringify({ alg: SESSION_TOKEN_ALGORITHM, typ: 'JWT' })).toString('base64url');

/**
 * Signs session tokens with an EC P-256 key only the backend holds; session servers get the public
 * key and can verify tokens but never mint one, for another server or at all.
 *
 * The JWT is put together here (RFC 7515 compact form: header, payload with `iat` and `exp`, raw
 * r||s ES256 signature) rather than by jsonwebtoken, whose sign runs on every get-or-start call:
 * its option and claim checks and stream-based jws encoding cost as much as the ES256 signature
 * itself (measured on Node 24: 44–68 µs per token through JwtService against 31–43 µs this way,
 * on a shared 2-core machine). Session servers verify with jsonwebtoken as before.
 */
@Injectable()
export class SessionTokenSigner {
  private readonly key: KeyObject;
  private readonly ttlS: number;
  readonly publicKeyPem: string;

  constructor(config: BackendConfig) {
    let key: KeyObject;
    if (config.SESSION_TOKEN_PRIVATE_KEY) {
      key = createPrivateKey(config.SESSION_TOKEN_PRIVATE_KEY.replace(/\\n/g, '\n'));
    } else {
      // Development only (config refuses this in production): replicas would each make their own key.
      key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      new Logger(SessionTokenSigner.name).log('no SESSION_TOKEN_PRIVATE_KEY: generated a key pair for this run');
    }
    this.publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    // Kept as a KeyObject: a PEM would be parsed again on every sign (10× slower).
    this.key = key;
    this.ttlS = config.SESSION_TOKEN_TTL_S;
  }

  /**
   * `roomName` and `kind` go in the token because the session server has no directory: its
   * `welcome` names the room from it, and it creates the room as that kind.
   */
  sign(user: UserRef, roomId: string, serverId: string, epoch: number, roomName: string | null = null, kind: RoomKindName = DEFAULT_ROOM_KIND): string {
    const claims: SessionTokenClaims = { typ: TokenType.Session, sub: user.id, name: user.name, room: roomId, aud: serverId, epoch, roomName, kind };
    const iat = Math.floor(Date.now() / 1000);
    const input = `${HEADER}.${Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + this.ttlS })).toString('base64url')}`;
    // ES256 = ECDSA P-256 over SHA-256, signature as r||s (ieee-p1363), not DER (RFC 7518 §3.4).
    const signature = signBytes('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}
