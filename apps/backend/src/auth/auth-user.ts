import type { UserRef } from '@app/shared';

/** The user of a request, as JwtStrategy takes it from the access token. */
export interface AuthUser extends UserRef {
  role?: 'admin';
}
