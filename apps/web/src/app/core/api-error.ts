import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody } from '@app/shared';

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
    if (error instanceof HttpErrorResponse) {
      if (error.status === 0) return new ApiError(0, 'The server cannot be reached. Check your connection.');
      const body = error.error as Partial<ApiErrorBody> | null;
      const raw = body && typeof body === 'object' ? body.message : undefined;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' && raw ? raw : error.statusText || `HTTP ${error.status}`;
      return new ApiError(error.status, message);
    }
    return new ApiError(0, error instanceof Error ? error.message : 'Unexpected error');
  }
}
