import { STATUS_CODES } from 'node:http';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

/**
 * An error response in the OpenAPI document, with its own example body: the status, the message
 * this route answers with, and the status text as `error` (every error body carries all three).
 */
export function ApiErrorResponse(status: number, description: string, message: string | string[]): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, type: ErrorBodyDto, example: { statusCode: status, message, error: STATUS_CODES[status] } });
}

/** The 401 of every route behind the access-token guard. */
export const ApiUnauthorizedError = (description = 'Missing, invalid or expired access token (a session token is refused too).') =>
  ApiErrorResponse(401, description, 'a valid access token is required (Authorization: Bearer <token>)');

/** The 429 of the per-address rate limit (login, room creation). */
export const ApiRateLimitedError = (description: string) =>
  ApiErrorResponse(429, description, 'Too many requests from this address: at most 120 per minute. Try again in 1 minute.');
