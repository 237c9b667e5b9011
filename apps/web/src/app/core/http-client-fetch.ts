import { HttpClient, HttpErrorResponse, type HttpHeaders } from '@angular/common/http';
import type { FetchLike, ResponseLike } from '@app/client';
import { firstValueFrom } from 'rxjs';

/**
 * The SDK's `fetch`, made of Angular's HttpClient: the SDK's RoomsApi builds the calls, and they still
 * go through the app's interceptors (the access token, a 401 sending the user to login). An HTTP error
 * becomes an answer with its status, as `fetch` gives it; only a network failure throws.
 */
export function httpClientFetch(http: HttpClient): FetchLike {
  return async (url, init) => {
    try {
      const res = await firstValueFrom(
        http.request(init.method, url, { body: init.body ?? null, headers: init.headers, observe: 'response', responseType: 'text' }),
      );
      return answer(res.status, res.headers, res.body ?? '');
    } catch (error) {
      if (!(error instanceof HttpErrorResponse) || error.status === 0) throw error;
      return answer(error.status, error.headers, typeof error.error === 'string' ? error.error : JSON.stringify(error.error ?? ''));
    }
  };
}

function answer(status: number, headers: HttpHeaders, body: string): ResponseLike {
  return { status, ok: status >= 200 && status < 300, headers: { get: (name) => headers.get(name) }, text: async () => body };
}
