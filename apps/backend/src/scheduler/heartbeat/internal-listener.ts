import { HEARTBEAT_PATH, type HeartbeatReply } from '@app/shared';
import { HttpException, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { BackendConfig } from '../../config/backend.config';
import { SchedulerService } from '../scheduler.service';
import { HeartbeatValidationPipe } from './heartbeat.schema';
import { hasInternalSecret } from './internal-secret';

/**
 * The heartbeat's limit: it lists every room a session server holds, and the members of the full
 * ones (1,000 rooms of 100, a tenth full: about 400 KB). Under the public limit, a busy server's
 * heartbeat was refused 413 and the server taken for dead.
 */
const HEARTBEAT_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The internal endpoint (session servers' heartbeats) on a listener of its own, INTERNAL_HOST:
 * INTERNAL_PORT, and never on PORT: a heartbeat registers a server that then receives session tokens,
 * so only the session servers' network may reach it (its own Service, which no public route names),
 * not merely whoever learns INTERNAL_SECRET. Its own Fastify instance rather than a Nest controller:
 * one route, nothing of the public app (docs, CORS, web app) answers here.
 */
@Injectable()
export class InternalListener implements OnApplicationShutdown {
  private readonly log = new Logger(InternalListener.name);
  private server?: FastifyInstance;
  private boundUrl?: string;
  private readonly validation = new HeartbeatValidationPipe();

  constructor(
    private readonly config: BackendConfig,
    private readonly scheduler: SchedulerService,
  ) {}

  /** `http://host:port` of the listener once it listens: the session servers' BACKEND_URL. */
  get url(): string {
    if (!this.boundUrl) throw new Error('the internal listener is not listening yet');
    return this.boundUrl;
  }

  async listen(): Promise<string> {
    const server = Fastify({
      bodyLimit: HEARTBEAT_BODY_LIMIT_BYTES,
      requestTimeout: this.config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: this.config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionTimeout: this.config.HTTP_IDLE_TIMEOUT_MS,
    });
    const secret = Buffer.from(this.config.INTERNAL_SECRET);
    // Before the body is read: a caller without the secret cannot make the backend read megabytes.
    server.addHook('onRequest', (request, reply, done) => {
      if (hasInternalSecret(request.headers, secret)) return done();
      void reply.code(401).send({ statusCode: 401, message: 'bad internal secret', error: 'Unauthorized' });
    });
    server.post(HEARTBEAT_PATH, async (request): Promise<HeartbeatReply> => this.scheduler.heartbeat(this.validation.transform(request.body)));
    server.setErrorHandler((err, _request, reply) => {
      if (err instanceof HttpException) return reply.code(err.getStatus()).send(err.getResponse());
      const { statusCode: status, message } = err as { statusCode?: number; message?: string };
      // Fastify's own refusals (bad JSON, too large, a prototype key): the caller's fault, said as it is.
      if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ statusCode: status, message });
      this.log.error(`heartbeat failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return reply.code(500).send({ statusCode: 500, message: 'heartbeat failed' });
    });
    await server.listen({ port: this.config.internalPort, host: this.config.INTERNAL_HOST });
    this.server = server;
    const { port } = server.server.address() as AddressInfo;
    const host = ['0.0.0.0', '::'].includes(this.config.INTERNAL_HOST) ? '127.0.0.1' : this.config.INTERNAL_HOST;
    this.boundUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.boundUrl;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}
