import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { SessionServersIndicator } from './session-servers.indicator';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessions: SessionServersIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ operationId: 'readiness', summary: 'Readiness: 200 when the directory answers and a session server can take rooms, else 503' })
  ready() {
    return this.health.check([() => this.sessions.check('sessionServers')]);
  }

  @Get('live')
  @ApiOperation({ operationId: 'liveness', summary: 'Liveness: 200 while the process serves HTTP' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
