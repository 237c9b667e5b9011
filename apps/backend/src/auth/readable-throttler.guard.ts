import { HttpException, HttpStatus, Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';

/**
 * The per-address rate limit of login and room creation, answering in Nest's full error shape:
 * ThrottlerGuard's own 429 body has `statusCode` and `message` but no `error`.
 */
@Injectable()
export class ReadableThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const message = await this.getErrorMessage(context, detail);
    throw new HttpException({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
