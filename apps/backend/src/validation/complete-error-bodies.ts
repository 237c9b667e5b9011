import { STATUS_CODES } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Errors raised by the HTTP layer rather than by Nest code (Fastify's 413 for a body over the limit)
 * reach the client through Nest's fallback as `{ statusCode, message }`: this hook adds the status
 * text as `error`, so every error body has all three fields. Only error responses are looked at.
 */
export function completeErrorBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      if (reply.statusCode < 400 || typeof payload !== 'string' || payload.includes('"error"')) return done(null, payload);
      let body: unknown;
      try {
        body = JSON.parse(payload);
      } catch {
        return done(null, payload);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body) || !('statusCode' in body) || !('message' in body)) return done(null, payload);
      done(null, JSON.stringify({ ...body, error: STATUS_CODES[reply.statusCode] ?? 'Error' }));
    });
}
