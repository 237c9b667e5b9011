import { AccessTokenClaims, TokenType } from '@app/shared';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { BackendConfig } from '../config/backend.config';
import { accessTokenKey } from './access-token.key';
import type { AuthUser } from './auth-user';

/** Accepts access tokens only: a session token (another type, another key) is refused. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: BackendConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken 9 takes a KeyObject; passport-jwt's type only names string | Buffer.
      secretOrKey: accessTokenKey(config) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessTokenClaims>): AuthUser {
    if (claims.typ !== TokenType.Access || typeof claims.sub !== 'string' || typeof claims.name !== 'string') {
      throw new UnauthorizedException('an access token is required');
    }
    return claims.role === 'admin' ? { id: claims.sub, name: claims.name, role: 'admin' } : { id: claims.sub, name: claims.name };
  }
}
