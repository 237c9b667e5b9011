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
  private readonly jwt: JwtService;
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
    // An own JwtService: the module's one is set up with the access-token secret, which would win.
    // The key goes in as a KeyObject: from a PEM string jsonwebtoken parses it on every sign (10× slower).
    this.jwt = new JwtService({
      privateKey: key,
      signOptions: { algorithm: SESSION_TOKEN_ALGORITHM, expiresIn: config.SESSION_TOKEN_TTL_S },
    });
  }

  /** `roomName` goes in the token because the session server has no directory: its `welcome` names the room from it. */
  sign(user: UserRef, roomId: string, serverId: string, epoch: number, roomName: string | null = null): string {
    const claims: SessionTokenClaims = { typ: TokenType.Session, sub: user.id, name: user.name, room: roomId, aud: serverId, epoch, roomName };
    return this.jwt.sign(claims);
  }
}
