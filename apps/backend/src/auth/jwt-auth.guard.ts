import { ExecutionContext, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from './public.decorator';

/** Global guard: every route needs an access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }

  /**
   * Passport's refusal (no token, bad signature, expired) becomes a 401 in Nest's full error shape:
   * the default `new UnauthorizedException()` answers `{ statusCode, message }` with no `error`.
   */
  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err instanceof HttpException) throw err;
    if (err || !user) throw new UnauthorizedException('a valid access token is required (Authorization: Bearer <token>)');
    return user;
  }
}
