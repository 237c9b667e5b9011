import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { AdminGuard } from './admin.guard';
import type { AuthUser } from './auth-user';

const contextFor = (user: AuthUser | undefined) => ({ switchToHttp: () => ({ getRequest: () => ({ user }) }) }) as unknown as ExecutionContext;

describe('AdminGuard', () => {
  const guard = new AdminGuard();

  it("lets an admin's token through", () => {
    expect(guard.canActivate(contextFor({ id: 'admin', name: 'admin', role: 'admin' }))).toBe(true);
  });

  it('refuses a guest, or no user, with 403 and what to do', () => {
    expect(() => guard.canActivate(contextFor({ id: 'u1', name: 'Ada' }))).toThrow(ForbiddenException);
    expect(() => guard.canActivate(contextFor(undefined))).toThrow(/POST \/api\/admin\/login/);
  });
});
