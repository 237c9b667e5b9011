import { AccessTokenClaims, LoginResponse, TokenType } from '@app/shared';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';

@Injectable()
export class AuthService {
  constructor(private readonly jwt: JwtService) {}

  /** Guest login: a fresh user id for the display name; the name was validated by the DTO. */
  login(name: string): LoginResponse {
    const user = { id: `u_${randomBytes(9).toString('base64url')}`, name };
    const claims: AccessTokenClaims = { typ: TokenType.Access, sub: user.id, name };
    return { token: this.jwt.sign(claims), user };
  }
}
