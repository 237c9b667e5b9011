import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthSession } from './auth-session';

/** Pages that need an access token send a logged-out visitor to login, and back afterwards. */
export const authGuard: CanActivateFn = (_route, state) => {
  if (inject(AuthSession).isLoggedIn()) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};
