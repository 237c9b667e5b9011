import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CLOCK, systemClock } from '../clock/clock';
import { sessionDirectoryProvider } from './directory/session-directory.factory';
import { InternalListener } from './heartbeat/internal-listener';
import { provisionerProvider } from './provisioner/provisioner.factory';
import { SchedulerService } from './scheduler.service';

@Module({
  imports: [AuthModule],
  // No controller: heartbeats are served by InternalListener on INTERNAL_PORT, never on PORT.
  providers: [{ provide: CLOCK, useValue: systemClock }, sessionDirectoryProvider, provisionerProvider, SchedulerService, InternalListener],
  exports: [SchedulerService, sessionDirectoryProvider, CLOCK, InternalListener],
})
export class SchedulerModule {}
