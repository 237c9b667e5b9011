import { ClusterView } from '@app/shared';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiUnauthorizedError } from '../validation/api-error-response.decorator';
import { ClusterViewDto } from './cluster.dto';
import { ClusterService } from './cluster.service';

@ApiTags('cluster')
@ApiBearerAuth()
@Controller('api/cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  @ApiOperation({
    operationId: 'cluster',
    summary: 'The session servers, their load, and your rooms',
    description:
      "Every server with its capacity, rooms placed and connections. An admin's token sees every room and each server's address; any other user sees only the ids of rooms they opened a session for, and no addresses.",
  })
  @ApiOkResponse({ type: ClusterViewDto })
  @ApiUnauthorizedError()
  view(@CurrentUser() user: AuthUser): Promise<ClusterView> {
    return this.cluster.view(user);
  }
}
