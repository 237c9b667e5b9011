import { ClusterView } from '@app/shared';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SchedulerService } from '../scheduler/scheduler.service';
import { ErrorBodyDto } from '../validation/error-body.dto';
import { ClusterViewDto } from './cluster.dto';

@ApiTags('cluster')
@ApiBearerAuth()
@Controller('api/cluster')
export class ClusterController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Get()
  @ApiOperation({ summary: 'Which room lives where, and the load of each session server' })
  @ApiOkResponse({ type: ClusterViewDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto })
  view(): Promise<ClusterView> {
    return this.scheduler.cluster();
  }
}
