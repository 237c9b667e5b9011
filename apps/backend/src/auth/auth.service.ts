import { AccessTokenClaims, LoginResponse, TokenType } from '@app/shared';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { Metric } from '../metrics/backend-metrics';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { BackendConfig } from '../config/backend.config';
import { accessTokenKey } from './access-token.key';
import { AddressQuotas } from '../quotas/address-quotas.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: BackendConfig,
    @InjectMetric(Metric.Logins) private readonly logins: Counter,
    private readonly addressQuotas: AddressQuotas,
  ) {}

  /**
   * Guest login; the name was validated by the DTO. The user id is a fresh one, unless
   * `previousToken` is a valid, unexpired guest access token of this backend for the same name: then
   * it is that token's id (the browser logging in again, or another of its tabs), so one person
   * stays one user. A client can thus only keep an id it was given, never choose one. A fresh id
   * counts against the client address's hourly quota of new guests (429 beyond it); a kept one does not.
   */
  async login(name: string, previousToken: string | undefined, address: string): Promise<LoginResponse> {
    let id = this.previousUserId(name, previousToken);
    if (id === null) {
      await this.addressQuotas.guestCreated(address);
      id = `u_${randomBytes(9).toString('base64url')}`;
    }
    const user = { id, name };
    this.logins.inc();
    const claims: AccessTokenClaims = { typ: TokenType.Access, sub: user.id, name };
    return { token: this.jwt.sign(claims), user };
  }

  /** An access token with the admin role (the caller checked ADMIN_SECRET). */
  adminToken(): string {
    const claims: AccessTokenClaims = { typ: TokenType.Access, sub: 'admin', name: 'admin', role: 'admin' };
    return this.jwt.sign(claims);
  }

  private previousUserId(name: string, token: string | undefined): string | null {
    if (!token) return null;
    try {
      const claims = this.jwt.verify<Partial<AccessTokenClaims>>(token, { algorithms: ['HS256'], secret: accessTokenKey(this.config) as unknown as string });
      const ok = claims.typ === TokenType.Access && claims.role === undefined && typeof claims.sub === 'string' && claims.name === name;
      return ok ? claims.sub! : null;
    } catch {
      return null;
    }
  }
}
