import { HEARTBEAT_PATH, HeartbeatReply, type SessionHeartbeat } from '@app/shared';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/public.decorator';
import { SchedulerService } from '../scheduler.service';
import { HeartbeatValidationPipe } from './heartbeat.schema';
import { InternalSecretGuard } from './internal-secret.guard';

/** Session servers register and heartbeat here; authenticated by the shared secret, not in Swagger. */
@ApiExcludeController()
@Public()
@UseGuards(InternalSecretGuard)
@Controller()
export class HeartbeatController {
  constructor(private readonly scheduler: SchedulerService) {}

  // The body's type is an interface, so the global ValidationPipe (class-validator) leaves it to the schema pipe.
  @Post(HEARTBEAT_PATH)
  @HttpCode(200)
  heartbeat(@Body(HeartbeatValidationPipe) body: SessionHeartbeat): Promise<HeartbeatReply> {
    return this.scheduler.heartbeat(body);
  }
}
