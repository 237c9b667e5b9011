import { SESSION_TOKEN_ALGORITHM, SessionTokenClaims, TokenType, UserRef } from '@app/shared';
import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { BackendConfig } from '../config/backend.config';

/**
 * Signs session tokens with an EC P-256 key only the backend holds; session servers get the public
 * key and can verify tokens but never mint one, for another server or at all.
 */
@Injectable()
export class SessionTokenSigner {
  private readonly privateKeyPem: string;
  readonly publicKeyPem: string;

  constructor(private readonly jwt: JwtService, private readonly config: BackendConfig) {
    let key: KeyObject;
    if (config.SESSION_TOKEN_PRIVATE_KEY) {
      key = createPrivateKey(config.SESSION_TOKEN_PRIVATE_KEY.replace(/\\n/g, '\n'));
    } else {
      // Development only (config refuses this in production): replicas would each make their own key.
      key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      new Logger(SessionTokenSigner.name).log('no SESSION_TOKEN_PRIVATE_KEY: generated a key pair for this run');
    }
    this.privateKeyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(user: UserRef, roomId: string, serverId: string): string {
    const claims: SessionTokenClaims = { typ: TokenType.Session, sub: user.id, name: user.name, room: roomId, aud: serverId };
    return this.jwt.sign(claims, {
      algorithm: SESSION_TOKEN_ALGORITHM,
      privateKey: this.privateKeyPem,
      expiresIn: this.config.SESSION_TOKEN_TTL_S,
    });
  }
}
