import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QuotaExceededException } from './quota-exceeded.exception';

/** Answers a QuotaExceededException with its body and a `Retry-After` header (seconds). */
@Catch(QuotaExceededException)
export class QuotaExceededFilter implements ExceptionFilter<QuotaExceededException> {
  catch(exception: QuotaExceededException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(exception.getStatus()).header('retry-after', String(exception.retryAfterS)).send(exception.getResponse());
  }
}
