import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The role claim of an operator's access token (`POST /api/admin/login` issues it, PROTOCOL.md "Operator API"). */
export const ADMIN_ROLE = 'admin';

/**
 * Lets through requests whose access token carries `role: "admin"`. It runs after the global JWT
 * guard, which has already verified the token's signature, type and expiry, so it only reads the
 * claim from the verified token's payload (JwtStrategy hands controllers the user, not the claims).
 */
@Injectable()
export class AdminRoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (roleOf(request.headers.authorization) !== ADMIN_ROLE) throw new ForbiddenException('this needs the admin role');
    return true;
  }
}

function roleOf(authorization: string | undefined): unknown {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { role?: unknown }).role;
  } catch {
    return undefined;
  }
}
