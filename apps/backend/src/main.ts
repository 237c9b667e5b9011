import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { BackendConfig } from './config/backend.config';
import { ConfigError, loadBackendConfig } from './config/load-config';
import { SchedulerService } from './scheduler/scheduler.service';
import { PROVISIONER, Provisioner } from './scheduler/provisioner/provisioner.port';
import { LocalProvisioner } from './scheduler/provisioner/local.provisioner';
import { setupSwagger } from './swagger';

async function bootstrap(): Promise<void> {
  let config: BackendConfig;
  try {
    config = loadBackendConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
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

  const provisioner = app.get<Provisioner>(PROVISIONER);
  // Last resort: even on an uncaught crash no local session server outlives this process.
  if (provisioner instanceof LocalProvisioner) process.on('exit', () => provisioner.killAll());

  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host}:${port}`;

  await app.get(SchedulerService).start(url);
  const servers = await app.get(SchedulerService).liveServers();
  process.stdout.write(
    `\n  Rooms backend ready at ${url}/  (API docs ${url}/docs)\n` +
      `  provisioner: ${provisioner.kind}, live session servers: ${servers.length}, directory: ${config.REDIS_URL ? 'redis' : 'memory'}\n\n`,
  );
}

void bootstrap();
