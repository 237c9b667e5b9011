import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { loadAsyncApiDocument } from './api-docs/asyncapi-document';
import { serveAsyncApi } from './api-docs/asyncapi-routes';
import { AppModule } from './app.module';
import { createRootLogger } from './logging/root-logger';
import { logRequests } from './logging/request-log';
import { echoRequestId, requestIdOf } from './request-id';
import { useSecurityHeaders } from './security-headers';
import { BackendConfig } from './config/backend.config';
import { proxyHops } from './config/trusted-proxies.validator';
import { MetricsListener } from './metrics/metrics-listener';
import { RoomsService } from './rooms/rooms.service';
import { InternalListener } from './scheduler/heartbeat/internal-listener';
import { SchedulerService } from './scheduler/scheduler.service';
import { setupSwagger } from './swagger';
import { completeErrorBodies } from './validation/complete-error-bodies';
import { JSON_MAX_DEPTH, jsonDepth } from './validation/json-depth';
import { serveWebApp, webRoot } from './web/web-app';

/** Request bodies above this are refused with 413 before they are parsed. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** A JSON body that names a prototype key is refused (400) before any code sees it. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`property "${key}" is not allowed`);
  return value;
}

export interface BackendAppOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/**
 * Builds the backend as it runs in production; main.ts and the integration tests both use it.
 *
 * On Fastify rather than Express: at 1,000 get-or-start calls a second, Nest on Express kept a
 * third of what each young-generation GC found alive long enough to promote it, so full GCs ran
 * every two seconds and stalled the event loop for tens of milliseconds; Nest on Fastify promotes
 * almost nothing (README, performance section).
 */
export async function createBackendApp(config: BackendConfig, options: BackendAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    trustProxy: trustedProxies(config.TRUST_PROXY),
    ...httpTimeouts(config),
  });
  const logger = createRootLogger(config, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, { bufferLogs: true, bodyParser: false });
  useStrictJsonParser(app);
  echoRequestId(app);
  app.useLogger(app.get(Logger));
  logRequests(app.getHttpAdapter().getInstance(), logger);
  useSecurityHeaders(app);
  completeErrorBodies(app);
  app.enableCors({ origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  setupSwagger(app);
  const asyncApi = loadAsyncApiDocument();
  if (asyncApi) serveAsyncApi(app, asyncApi);
  else app.get(Logger).warn('docs/asyncapi.yaml not found: /docs/ws and /docs/asyncapi.json are not served');
  const web = webRoot(config);
  if (web) await serveWebApp(app, web, app.get(RoomsService));
  app.enableShutdownHooks();
  return app;
}

/**
 * Fastify's `trustProxy` from TRUST_PROXY: off, a hop count, or the addresses and ranges to trust.
 * A hop count is passed as proxy-addr's hop rule (trust the nearest N hops), not as a number:
 * Fastify 5.12 reads a bare number as "trust nothing", since it cannot check who the peer is. Here
 * the deployment vouches for that (only the gateway reaches the backend; see the network policy).
 */
export function trustedProxies(list: readonly string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (list.length === 0) return false;
  const hops = proxyHops(list);
  return hops === null ? [...list] : (_address, hop) => hop < hops;
}

/**
 * Fastify's (Node's) timeouts, all 0 (none) by default: a client sending its body a byte at a time
 * held a connection and a file descriptor for as long as it liked.
 * - `requestTimeout`: the whole request (headers and body) must arrive within HTTP_REQUEST_TIMEOUT_MS,
 *   else Node answers 408 and closes; `headersTimeout` may not exceed it;
 * - `keepAliveTimeout`: an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS;
 * - `connectionTimeout`: a connection silent both ways for HTTP_IDLE_TIMEOUT_MS is closed.
 * Node looks for late requests every `connectionsCheckingInterval` (30 s by default, which would let
 * a 10 s timeout run to 40 s): a quarter of the timeout, so a request is cut within 1.25 times it.
 */
function httpTimeouts(config: BackendConfig) {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    http: { headersTimeout: requestTimeout, connectionsCheckingInterval: Math.max(50, Math.floor(requestTimeout / 4)) },
  };
}

/**
 * JSON bodies parsed with the prototype-key guard and a nesting bound (both 400 before any code
 * sees the body); an empty body is no body (the get-or-start call has none).
 */
function useStrictJsonParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    if (jsonDepth(body as string) > JSON_MAX_DEPTH) {
      return done(new BadRequestException(`invalid JSON body: nested deeper than ${JSON_MAX_DEPTH} levels`), undefined);
    }
    try {
      done(null, JSON.parse(body as string, refusePrototypeKeys));
    } catch (err) {
      done(new BadRequestException(`invalid JSON body: ${(err as Error).message}`), undefined);
    }
  });
}

/**
 * Listens (and on METRICS_PORT when set, and on INTERNAL_PORT), then starts the scheduler (its
 * session servers register at the internal URL now known). Returns the public URL.
 */
export async function listenBackend(app: NestFastifyApplication, config: BackendConfig): Promise<string> {
  await app.listen(config.PORT, config.HOST);
  await app.get(MetricsListener).listen();
  const internalUrl = await app.get(InternalListener).listen();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host}:${port}`;
  await app.get(SchedulerService).start(internalUrl);
  return url;
}
