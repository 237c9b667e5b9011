import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { SessionConfig } from './config/session.config';
import { ConnectionAdmission } from './gateway/connection-admission';
import { RoomGateway } from './gateway/room.gateway';
import { PingLiveness } from './gateway/ping-liveness';
import { RoomWsAdapter } from './gateway/room-ws.adapter';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { openFileLimitWarning } from './lifecycle/open-file-limit';
import { MetricsListener } from './metrics/metrics-listener';
import { SessionMetrics } from './metrics/session-metrics';
import { SessionModule, type SessionModuleOptions } from './session.module';
import { CLOCK, type Clock } from './time/clock';

export interface SessionApp {
  app: INestApplication;
  /** The port actually bound (differs from PORT when PORT is 0). */
  port: number;
  /** The metrics port actually bound, when METRICS_PORT is set. */
  metricsPort?: number;
}

/**
 * Builds, starts and registers a session server: HTTP (health, metrics) and the room WebSocket share one
 * port (with METRICS_PORT, metrics get a listener of their own). Used by main.ts and by integration
 * tests (with PORT 0 and their own config).
 */
export async function startSessionApp(config: SessionConfig, options: SessionModuleOptions = {}): Promise<SessionApp> {
  // abortOnError off: a provider that cannot start (a PostgreSQL schema too old) rejects here, and the
  // caller says why (main.ts), instead of Nest logging a stack and exiting the process itself.
  const app = await NestFactory.create<NestExpressApplication>(SessionModule.forRoot(config, options), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  const fileLimit = openFileLimitWarning(config.MAX_ROOMS, config.MAX_MEMBERS);
  if (fileLimit) app.get(Logger).warn(fileLimit, 'SessionApp');
  app.disable('x-powered-by');
  applyHttpTimeouts(app.getHttpServer(), config);
  const clock = app.get<Clock>(CLOCK);
  const admission = app.get(ConnectionAdmission);
  app.useWebSocketAdapter(
    new RoomWsAdapter(app, {
      gateway: app.get(RoomGateway),
      maxFrameBytes: config.MAX_FRAME_BYTES,
      rate: { perSecond: config.RATE_PER_SECOND, burst: config.RATE_BURST, floodAfter: config.FLOOD_CLOSE_AFTER },
      now: () => clock.now(),
      admit: (req) => admission.check(req),
      meter: app.get(SessionMetrics),
      liveness: new PingLiveness(config.PING_INTERVAL_MS, clock),
    }),
  );
  await app.listen(config.PORT, config.HOST);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const metricsPort = await app.get(MetricsListener).listen();
  // With PORT 0 (tests) the default public URL can only name the port once it is bound.
  if (config.PORT === 0 && !config.PUBLIC_URL) config.PUBLIC_URL = `ws://127.0.0.1:${port}`;
  app.get(HeartbeatService).start();
  return { app, port, metricsPort };
}

/**
 * Node's HTTP timeouts, none by default: a client sending a request (or an upgrade) a byte at a time
 * held a connection for as long as it liked. The whole request must arrive within
 * HTTP_REQUEST_TIMEOUT_MS (Node answers 408 and closes); idle keep-alive and silent connections are
 * closed. `ws` clears the socket timeout when it upgrades, so WebSockets are not cut by it (their
 * liveness is the ping). Node looks for late requests every `connectionsCheckingInterval` (30 s by
 * default): a quarter of the timeout. Set before `listen`, which starts that check.
 */
function applyHttpTimeouts(server: Server, config: SessionConfig): void {
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.setTimeout(config.HTTP_IDLE_TIMEOUT_MS);
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(50, Math.floor(config.HTTP_REQUEST_TIMEOUT_MS / 4));
}
