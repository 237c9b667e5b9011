import { Body, ConflictException, Controller, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CLOCK, type Clock } from '../clock/clock';
import { ROOM_ID_PATTERN } from '../rooms/room-id';
import { SESSION_DIRECTORY, type SessionDirectory } from '../scheduler/directory/session-directory.port';
import { SchedulerService } from '../scheduler/scheduler.service';
import { ErrorBodyDto } from '../validation/error-body.dto';
import { AdminRoleGuard } from './admin-role.guard';
import { DrainAcceptedDto, MoveRoomAcceptedDto, MoveRoomDto } from './dto/move-room.dto';

/**
 * Operator actions. Both go through the live-move path: the rooms are placed elsewhere under new
 * epochs at once, and the former owner, told by its next heartbeat reply, stores what it accepted,
 * sends its members `moved` and closes with 1012; they resume on the new server.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorBodyDto })
@ApiForbiddenResponse({ type: ErrorBodyDto, description: 'The access token has no admin role.' })
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
  @ApiOperation({ summary: 'Drain a session server', description: 'It takes no more rooms; its rooms move to other servers.' })
  @ApiAcceptedResponse({ type: DrainAcceptedDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown server.' })
  async drain(@Param('serverId') serverId: string): Promise<DrainAcceptedDto> {
    const moved = await this.scheduler.drainServer(serverId);
    if (!moved) throw new NotFoundException(`server ${serverId} is not known`);
    return { serverId, movedRooms: moved };
  }

  @Post('rooms/:roomId/move')
  @HttpCode(202)
  @ApiOperation({ summary: 'Move a room to another session server', description: 'To `to`, or the least loaded other server.' })
  @ApiAcceptedResponse({ type: MoveRoomAcceptedDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown or expired room.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'No such server can take the room (unknown, dead, draining, or no other server).' })
  async move(@Param('roomId') roomId: string, @Body() body: MoveRoomDto): Promise<MoveRoomAcceptedDto> {
    const room = ROOM_ID_PATTERN.test(roomId) ? await this.directory.getRoom(roomId, this.clock.now()) : null;
    if (!room) throw new NotFoundException(`room ${roomId} does not exist or has expired`);
    const placement = await this.scheduler.moveRoom(roomId, body.to);
    if (!placement) throw new ConflictException(body.to ? `server ${body.to} cannot take the room` : 'no other server can take the room');
    return { roomId, serverId: placement.server.id, epoch: placement.epoch };
  }
}
