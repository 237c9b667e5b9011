import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { BackendConfig } from './config/backend.config';
import { SchedulerService } from './scheduler/scheduler.service';
import { setupSwagger } from './swagger';

/** A JSON body that names a prototype key is refused (400) before any code sees it. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`property "${key}" is not allowed`);
  return value;
}

/** Builds the backend as it runs in production; main.ts and the integration tests both use it. */
export async function createBackendApp(config: BackendConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  app.useBodyParser('json', { limit: '16kb', reviver: refusePrototypeKeys });
  app.useLogger(app.get(Logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The web app talks to session servers on their own origins.
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  app.enableCors({ origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  setupSwagger(app);
  app.enableShutdownHooks();
  return app;
}

/** Listens, then starts the scheduler (its session servers register at the URL now known). */
export async function listenBackend(app: NestExpressApplication, config: BackendConfig): Promise<string> {
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host}:${port}`;
  await app.get(SchedulerService).start(url);
  return url;
}
