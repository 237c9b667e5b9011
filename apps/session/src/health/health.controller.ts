import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { SessionConfig } from '../config/session.config';
import { RoomStoreHealthIndicator } from './room-store.indicator';
import { SessionStateHealthIndicator } from './session-state.indicator';

/**
 * `GET /health`: readiness, 503 while draining, before a token key arrived, or (ROOM_STORE=redis)
 * while Redis does not answer PING. `GET /health/live`: liveness, 200 while the process serves
 * HTTP; an unreachable backend or Redis must not restart a server and drop its sockets.
 */
@Controller('health')
export class HealthController {
  private readonly checks: HealthIndicatorFunction[];

  constructor(
    private readonly health: HealthCheckService,
    session: SessionStateHealthIndicator,
    store: RoomStoreHealthIndicator,
    config: SessionConfig,
  ) {
    this.checks = [() => session.check('session')];
    if (store.applies) this.checks.push(() => store.check(config.ROOM_STORE));
  }

  @Get()
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.checks);
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
