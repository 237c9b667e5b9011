import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync } from 'node:crypto';
import { SESSION_TOKEN_ALGORITHM, TokenType } from '@app/shared';

export interface SessionTokenKeys {
  /** PEM PKCS#8: signs (the backend's side). */
  privateKeyPem: string;
  /** PEM SPKI: verifies (the session server's side). */
  publicKeyPem: string;
}

/** A fresh EC P-256 key pair, as the backend holds for session tokens. */
export function createSessionTokenKeys(): SessionTokenKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface SessionTokenInput {
  sub: string;
  name: string;
  room: string;
  /** Session server id that must accept the token. */
  aud: string;
  /** Default 'session'; 'access' mints a token of the wrong kind. */
  typ?: string;
  /** Seconds from now until expiry (negative: already expired). Default 60. */
  expiresIn?: number;
  /** Epoch of the room's placement. Default 1. */
  epoch?: number;
  /** The room's kind (version 3); absent as in tokens of older backends (a chat room). */
  kind?: string;
}

const jwt = new JwtService();

/** Signs a session token the way the backend does (ES256), or a deliberately wrong one. */
export function mintSessionToken(keys: SessionTokenKeys, input: SessionTokenInput): string {
  const now = Math.floor(Date.now() / 1000);
  const { expiresIn = 60, typ = TokenType.Session, epoch = 1, ...claims } = input;
  return jwt.sign({ ...claims, typ, epoch, iat: now, exp: now + expiresIn }, { privateKey: keys.privateKeyPem, algorithm: SESSION_TOKEN_ALGORITHM });
}
