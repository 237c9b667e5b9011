import { INTERNAL_SECRET_HEADER } from '@app/shared';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { BackendConfig } from '../../config/backend.config';

/** Internal endpoints: only callers that know the shared secret (session servers). */
@Injectable()
export class InternalSecretGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: BackendConfig) {
    this.expected = Buffer.from(config.INTERNAL_SECRET);
  }

  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    if (!hasInternalSecret(headers, this.expected)) throw new UnauthorizedException('bad internal secret');
    return true;
  }
}

/** Whether a request's headers carry the shared secret (compared in constant time). */
export function hasInternalSecret(headers: Record<string, unknown>, expected: Buffer): boolean {
  const given = headers[INTERNAL_SECRET_HEADER];
  const buf = Buffer.from(typeof given === 'string' ? given : '');
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}
