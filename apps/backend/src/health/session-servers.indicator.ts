import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SchedulerService } from '../scheduler/scheduler.service';

/** Ready only when some live, non-draining session server can take rooms. */
@Injectable()
export class SessionServersIndicator {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      const live = (await this.scheduler.liveServers()).filter((s) => !s.draining);
      return live.length > 0 ? check.up({ live: live.length }) : check.down({ live: 0, message: 'no live session server yet' });
    } catch (err) {
      return check.down({ message: `directory unreachable: ${(err as Error).message}` });
    }
  }
}
