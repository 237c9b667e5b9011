import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { requestLogLevel } from './request-log-level';

/**
 * One line per finished request, at `requestLogLevel`'s level, with the request's id (the one
 * echoed in `x-request-id`), method, URL, status and time.
 *
 * In place of pino-http's middleware (through nestjs-pino), which cost a third of the backend's CPU
 * per get-or-start call: ~300 → ~205 µs in memory mode (README, performance section). It serialised every request,
 * headers included, into a child logger before the handler ran, logged or not: at the default level a
 * 2xx is never logged. And it ran the rest of the request inside an AsyncLocalStorage context so that
 * lines logged meanwhile carried the request; entering one switches on Node's promise hooks, which
 * Nest, with its many promises per request, pays for on each. So lines logged while a request is
 * served do not name it; the request's own line does, with its timestamp.
 */
export function logRequests(fastify: FastifyInstance, root: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = requestLogLevel(request.url, reply.statusCode);
    if (root.isLevelEnabled(level)) {
      root[level](
        {
          reqId: request.id,
          req: { method: request.method, url: request.url, remoteAddress: request.ip },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime * 1000) / 1000,
        },
        'request completed',
      );
    }
    done();
  });
}
