import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { AuthUser } from './auth-user';

/** True when the request's access token carries `role: "admin"` (JwtStrategy puts it on the user). */
export function isAdmin(user: AuthUser | undefined): boolean {
  return user?.role === 'admin';
}

/**
 * Lets only an admin's access token through (`@UseGuards(AdminGuard)` on an operator route); runs
 * after the global JwtAuthGuard, which has put the token's user on the request. Others get 403.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!isAdmin(user)) throw new ForbiddenException('this needs an admin access token: log in with POST /api/admin/login');
    return true;
  }
}
