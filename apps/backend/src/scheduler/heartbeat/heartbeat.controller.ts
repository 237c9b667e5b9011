import { HEARTBEAT_PATH, HeartbeatReply } from '@app/shared';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/public.decorator';
import { SchedulerService } from '../scheduler.service';
import { HeartbeatDto } from './heartbeat.dto';
import { InternalSecretGuard } from './internal-secret.guard';

/** Session servers register and heartbeat here; authenticated by the shared secret, not in Swagger. */
@ApiExcludeController()
@Public()
@UseGuards(InternalSecretGuard)
@Controller()
export class HeartbeatController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post(HEARTBEAT_PATH)
  @HttpCode(200)
  heartbeat(@Body() body: HeartbeatDto): Promise<HeartbeatReply> {
    return this.scheduler.heartbeat(body);
  }
}
