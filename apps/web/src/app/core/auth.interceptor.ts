import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { AuthSession } from './auth-session';

/**
 * Adds the access token to API calls (unless the call names its own, as the admin's cluster view
 * does); a 401 on the user's token means it is gone or expired: back to login.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const session = inject(AuthSession);
  const router = inject(Router);
  const token = session.token();
  const isApi = request.url.startsWith('/api/');
  const ownToken = request.headers.has('Authorization');
  const authed = token && isApi && !ownToken ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;

  return next(authed).pipe(
    catchError((error: unknown) => {
      const isLogin = request.url === '/api/login' || request.url === '/api/admin/login';
      if (error instanceof HttpErrorResponse && error.status === 401 && isApi && !isLogin && !ownToken) {
        session.signOut();
        const returnUrl = router.url.startsWith('/login') ? undefined : router.url;
        void router.navigate(['/login'], { queryParams: returnUrl ? { returnUrl } : {} });
      }
      return throwError(() => error);
    }),
  );
};
