import { Body, ConflictException, Controller, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from '../clock/clock';
import { ROOM_ID_PARAM, ROOM_ID_PATTERN } from '../rooms/room-id';
import { SESSION_DIRECTORY, type SessionDirectory } from '../scheduler/directory/session-directory.port';
import { SchedulerService } from '../scheduler/scheduler.service';
import { ApiErrorResponse, ApiUnauthorizedError } from '../validation/api-error-response.decorator';
import { AdminRoleGuard } from './admin-role.guard';
import { DrainAcceptedDto, MoveRoomAcceptedDto, MoveRoomDto } from './dto/move-room.dto';

/**
 * Operator actions. Both go through the live-move path: the rooms are placed elsewhere under new
 * epochs at once, and the former owner, told by its next heartbeat reply, stores what it accepted,
 * sends its members `moved` and closes with 1012; they resume on the new server.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedError()
@ApiErrorResponse(403, 'The access token has no admin role.', 'this needs the admin role')
@UseGuards(AdminRoleGuard)
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly scheduler: SchedulerService,
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('servers/:serverId/drain')
  @HttpCode(202)
  @ApiParam({ name: 'serverId', description: 'Id of a session server, as GET /api/cluster lists it.', schema: { type: 'string', minLength: 1 } })
  @ApiOperation({ operationId: 'drainServer', summary: 'Drain a session server', description: 'It takes no more rooms; its rooms move to other servers.' })
  @ApiAcceptedResponse({ type: DrainAcceptedDto })
  @ApiErrorResponse(404, 'Unknown server.', 'server session-7 is not known')
  async drain(@Param('serverId') serverId: string): Promise<DrainAcceptedDto> {
    const moved = await this.scheduler.drainServer(serverId);
    if (!moved) throw new NotFoundException(`server ${serverId} is not known`);
    return { serverId, movedRooms: moved };
  }

  @Post('rooms/:roomId/move')
  @HttpCode(202)
  @ApiParam(ROOM_ID_PARAM)
  @ApiOperation({ operationId: 'moveRoom', summary: 'Move a room to another session server', description: 'To `to`, or the least loaded other server.' })
  @ApiAcceptedResponse({ type: MoveRoomAcceptedDto })
  @ApiErrorResponse(400, 'Unknown body property, or `to` not a string.', ['property from should not exist'])
  @ApiErrorResponse(404, 'Unknown or expired room.', 'room Xq3v9Lr2bT0kZpWm does not exist or has expired')
  @ApiErrorResponse(409, 'No such server can take the room (unknown, dead, draining, or no other server).', 'no other server can take the room')
  async move(@Param('roomId') roomId: string, @Body() body: MoveRoomDto): Promise<MoveRoomAcceptedDto> {
    const room = ROOM_ID_PATTERN.test(roomId) ? await this.directory.getRoom(roomId, this.clock.now()) : null;
    if (!room) throw new NotFoundException(`room ${roomId} does not exist or has expired`);
    const placement = await this.scheduler.moveRoom(roomId, body.to);
    if (!placement) throw new ConflictException(body.to ? `server ${body.to} cannot take the room` : 'no other server can take the room');
    return { roomId, serverId: placement.server.id, epoch: placement.epoch };
  }
}
