import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { sessionTokenVerifierProvider } from './auth/session-token.provider';
import { SessionConfig } from './config/session.config';
import { ConnectionAdmission } from './gateway/connection-admission';
import { RoomGateway } from './gateway/room.gateway';
import { UserRoomQuotas } from './gateway/user-room-quotas';
import { HealthController } from './health/health.controller';
import { RoomStoreHealthIndicator } from './health/room-store.indicator';
import { SessionStateHealthIndicator } from './health/session-state.indicator';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { Lease } from './lease/lease';
import { DrainService } from './lifecycle/drain.service';
import { ServerState } from './lifecycle/server-state';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsListener } from './metrics/metrics-listener';
import { SessionMetrics } from './metrics/session-metrics';
import { RoomsService } from './rooms/rooms.service';
import { roomStoreProvider } from './store/room-store.factory';
import { CLOCK, type Clock, systemClock } from './time/clock';

export interface SessionModuleOptions {
  /** Time source; tests may pass their own. */
  clock?: Clock;
}

/** The session server. Its config is loaded and validated before the module is built (main.ts). */
@Module({})
export class SessionModule {
  static forRoot(config: SessionConfig, options: SessionModuleOptions = {}): DynamicModule {
    return {
      module: SessionModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            autoLogging: false,
            base: { serverId: config.serverId },
            redact: ['req.headers["x-internal-secret"]', 'req.headers.authorization'],
          },
          // The query string carries the session token: never log URLs with it.
          forRoutes: [],
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      // With METRICS_PORT, /metrics is served by MetricsListener on that port only.
      controllers: config.METRICS_PORT === undefined ? [HealthController, MetricsController] : [HealthController],
      providers: [
        { provide: SessionConfig, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        SessionMetrics,
        MetricsListener,
        sessionTokenVerifierProvider,
        roomStoreProvider,
        ServerState,
        { provide: Lease, inject: [CLOCK], useFactory: (clock: Clock) => new Lease(clock) },
        RoomsService,
        ConnectionAdmission,
        {
          provide: UserRoomQuotas,
          inject: [CLOCK],
          useFactory: (clock: Clock) =>
            new UserRoomQuotas({ maxSockets: config.MAX_SOCKETS_PER_USER, perSecond: config.RATE_PER_SECOND, burst: config.RATE_BURST }, () => clock.now()),
        },
        RoomGateway,
        HeartbeatService,
        DrainService,
        SessionStateHealthIndicator,
        RoomStoreHealthIndicator,
      ],
    };
  }
}
