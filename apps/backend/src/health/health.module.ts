import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { HealthController } from './health.controller';
import { SessionServersIndicator } from './session-servers.indicator';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), SchedulerModule],
  controllers: [HealthController],
  providers: [SessionServersIndicator],
})
export class HealthModule {}
