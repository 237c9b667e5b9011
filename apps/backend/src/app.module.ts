import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { ClusterModule } from './cluster/cluster.module';
import { BackendConfig } from './config/backend.config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { RoomsModule } from './rooms/rooms.module';
import { SchedulerModule } from './scheduler/scheduler.module';
import { requestLogLevel } from './request-log-level';

@Module({})
export class AppModule {
  static forRoot(config: BackendConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          // Every route: the library's default ('*') matches nothing under Fastify with Nest 11.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.LOG_LEVEL,
            // Pretty lines for a person at a terminal; JSON everywhere else.
            transport: !config.production && process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            redact: ['req.headers.authorization', `req.headers["x-internal-secret"]`],
            // The request id is Fastify's (see request-id.ts), which the logger finds on the request.
            customLogLevel: (req, res, err) => requestLogLevel(req.url, res.statusCode, err),
          },
        }),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: config.HTTP_RATE_LIMIT_PER_MIN }]),
        MetricsModule,
        AuthModule,
        SchedulerModule,
        RoomsModule,
        ClusterModule,
        HealthModule,
      ],
    };
  }
}
