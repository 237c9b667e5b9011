import { UserRef } from '@app/shared';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The user of the request's access token (set by JwtStrategy). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserRef => {
  return ctx.switchToHttp().getRequest<{ user: UserRef }>().user;
});
