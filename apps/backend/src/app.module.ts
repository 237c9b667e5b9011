import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ClusterModule } from './cluster/cluster.module';
import { BackendConfig } from './config/backend.config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { humanDuration } from './quotas/quota-exceeded.exception';
import { throttlerStorage } from './quotas/throttler-storage.factory';
import { RoomsModule } from './rooms/rooms.module';
import { SchedulerModule } from './scheduler/scheduler.module';

@Module({})
export class AppModule {
  static forRoot(config: BackendConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          // Request lines come from logging/request-log.ts, not from pino-http's middleware.
          forRoutes: [],
          pinoHttp: { logger, autoLogging: false },
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.HTTP_RATE_LIMIT_PER_MIN }],
          // Shared by the replicas when they share a Redis; else counted in this process.
          storage: throttlerStorage(config),
          // 0 = off. (The library's storage filters every hit of the window on each request, so a
          // limit in the millions, which the bench used to set instead, cost O(limit) per login.)
          skipIf: () => config.HTTP_RATE_LIMIT_PER_MIN === 0,
          // A message a person can read (the default is "ThrottlerException: Too Many Requests").
          errorMessage: (_context, { limit, timeToBlockExpire }) =>
            `Too many requests from this address: at most ${limit} per minute. Try again in ${humanDuration(timeToBlockExpire * 1000)}.`,
        }),
        MetricsModule.forRoot(config),
        AuthModule,
        SchedulerModule,
        RoomsModule,
        ClusterModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
