import { DynamicModule, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuthModule } from './auth/auth.module';
import { ClusterModule } from './cluster/cluster.module';
import { BackendConfig } from './config/backend.config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { RoomsModule } from './rooms/rooms.module';
import { SchedulerModule } from './scheduler/scheduler.module';

/** The built web app beside this build (dist/apps/web/browser), unless WEB_ROOT says otherwise. */
function webRoot(config: BackendConfig): string | undefined {
  const root = config.WEB_ROOT ?? join(__dirname, '..', 'web', 'browser');
  return existsSync(join(root, 'index.html')) ? root : undefined;
}

@Module({})
export class AppModule {
  static forRoot(config: BackendConfig): DynamicModule {
    const web = webRoot(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            // Pretty lines for a person at a terminal; JSON everywhere else.
            transport: !config.production && process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            redact: ['req.headers.authorization', `req.headers["x-internal-secret"]`],
            // Keep a caller's request id (a proxy's x-request-id), else make one; echo it back.
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
          },
        }),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: config.HTTP_RATE_LIMIT_PER_MIN }]),
        MetricsModule,
        AuthModule,
        SchedulerModule,
        RoomsModule,
        ClusterModule,
        HealthModule,
        ...(web
          ? [ServeStaticModule.forRoot({ rootPath: web, exclude: ['/api/{*rest}', '/docs{*rest}', '/health{*rest}', '/metrics', '/internal/{*rest}'] })]
          : []),
      ],
    };
  }
}
