import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CLOCK, systemClock } from '../clock/clock';
import { sessionDirectoryProvider } from './directory/session-directory.factory';
import { HeartbeatController } from './heartbeat/heartbeat.controller';
import { InternalSecretGuard } from './heartbeat/internal-secret.guard';
import { provisionerProvider } from './provisioner/provisioner.factory';
import { SchedulerService } from './scheduler.service';

@Module({
  imports: [AuthModule],
  controllers: [HeartbeatController],
  providers: [{ provide: CLOCK, useValue: systemClock }, sessionDirectoryProvider, provisionerProvider, SchedulerService, InternalSecretGuard],
  exports: [SchedulerService, sessionDirectoryProvider, CLOCK],
})
export class SchedulerModule {}
