import { AccessTokenClaims, LoginResponse, TokenType } from '@app/shared';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { Metric } from '../metrics/backend-metrics';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';

@Injectable()
export class AuthService {
  constructor(private readonly jwt: JwtService, @InjectMetric(Metric.Logins) private readonly logins: Counter) {}

  /** Guest login: a fresh user id for the display name; the name was validated by the DTO. */
  login(name: string): LoginResponse {
    const user = { id: `u_${randomBytes(9).toString('base64url')}`, name };
    this.logins.inc();
    const claims: AccessTokenClaims = { typ: TokenType.Access, sub: user.id, name };
    return { token: this.jwt.sign(claims), user };
  }
}
