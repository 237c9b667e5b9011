import { HttpErrorResponse } from '@angular/common/http';
import { ApiError as SdkApiError } from '@app/client';
import type { ApiErrorBody } from '@app/shared';

const UNREACHABLE = 'The server cannot be reached. Check your connection.';

/** An HTTP failure reduced to what the UI needs: the status (0 = network) and a readable message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof SdkApiError) {
      if (error.status === 0) return new ApiError(0, UNREACHABLE);
      const message = error.serverMessage || `HTTP ${error.status}`;
      if (error.status === 429 && isBareThrottle(message))
        return new ApiError(429, tooManyRequests(error.retryAfterMs === null ? null : error.retryAfterMs / 1000));
      return new ApiError(error.status, message);
    }
    if (error instanceof HttpErrorResponse) {
      if (error.status === 0) return new ApiError(0, UNREACHABLE);
      const body = error.error as Partial<ApiErrorBody> | null;
      const raw = body && typeof body === 'object' ? body.message : undefined;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' && raw ? raw : error.statusText || `HTTP ${error.status}`;
      if (error.status === 429 && isBareThrottle(message)) return new ApiError(429, tooManyRequests(Number(error.headers.get('Retry-After'))));
      return new ApiError(error.status, message);
    }
    return new ApiError(0, error instanceof Error ? error.message : 'Unexpected error');
  }
}

function isBareThrottle(message: string): boolean {
  return message.startsWith('ThrottlerException') || message === 'Too Many Requests';
}

/** A 429 whose body has no readable message (an older backend): say it in words, with the wait if known. */
function tooManyRequests(s: number | null): string {
  const wait = s !== null && Number.isFinite(s) && s > 0 ? (s < 60 ? `${Math.ceil(s)} seconds` : `${Math.ceil(s / 60)} minutes`) : 'a moment';
  return `Too many requests. Try again in ${wait}.`;
}
