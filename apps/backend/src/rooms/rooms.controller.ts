import type { CreateRoomResponse, RoomSessionResponse, RoomSummariesResponse, UserRef } from '@app/shared';
import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadableThrottlerGuard } from '../auth/readable-throttler.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrorResponse, ApiRateLimitedError, ApiUnauthorizedError } from '../validation/api-error-response.decorator';
import { ROOM_ID_PARAM } from './room-id';
import { CreateRoomDto, CreateRoomResponseDto, RoomSessionResponseDto } from './dto/create-room.dto';
import { RoomSummariesQueryDto, RoomSummariesResponseDto } from './dto/room-summaries.dto';
import { RoomsService } from './rooms.service';

@ApiTags('rooms')
@ApiBearerAuth()
@ApiUnauthorizedError()
@Controller('api/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @UseGuards(ReadableThrottlerGuard)
  @ApiOperation({ operationId: 'createRoom', summary: 'Create a room', description: 'The scheduler places it on a session server at once.' })
  @ApiCreatedResponse({ type: CreateRoomResponseDto })
  @ApiErrorResponse(400, 'Bad name, unknown kind or unknown body property.', ['name must be at most 64 characters', 'kind must be one of: chat, board'])
  @ApiRateLimitedError(
    'Too many calls from this address this minute, or too many rooms created by this user or from this address this hour (then with Retry-After).',
  )
  @ApiErrorResponse(503, 'No session server has capacity anywhere.', 'no session server has a free room slot; try again shortly')
  create(@CurrentUser() user: UserRef, @Body() body: CreateRoomDto, @Ip() address: string): Promise<CreateRoomResponse> {
    return this.rooms.create(user, body.name, address, body.kind);
  }

  @Get()
  @ApiOperation({
    operationId: 'roomSummaries',
    summary: 'Summaries of rooms',
    description:
      "Name, last seq, who is online and last activity of up to 50 rooms, as their session servers last reported them (seconds old at most); the rooms' history is not read.",
  })
  @ApiOkResponse({ type: RoomSummariesResponseDto })
  @ApiErrorResponse(400, 'ids missing, empty, more than 50, or not room ids separated by commas.', ['ids must name 1 to 50 room ids separated by commas'])
  summaries(@Query() query: RoomSummariesQueryDto): Promise<RoomSummariesResponse> {
    return this.rooms.summaries(query.ids.split(','));
  }

  @Post(':roomId')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'getRoomSession',
    summary: "Get or start the room's session",
    description: 'Returns the WebSocket address of the session server that owns the room (placing it if needed) and a short-lived session token for it.',
  })
  @ApiOkResponse({ type: RoomSessionResponseDto })
  @ApiParam(ROOM_ID_PARAM)
  @ApiErrorResponse(404, 'Unknown or expired room.', 'room Xq3v9Lr2bT0kZpWm does not exist or has expired')
  @ApiErrorResponse(409, 'The room is full: its server last reported maxMembers users connected, and the caller is not one of them.', 'room is full')
  @ApiErrorResponse(
    429,
    'Too many get-or-start calls by this user (with Retry-After).',
    'Too many rooms opened: at most 120 per minute. Try again in 1 minute.',
  )
  @ApiErrorResponse(503, 'No session server can take the room now.', 'no session server has a free room slot; try again shortly')
  session(@CurrentUser() user: UserRef, @Param('roomId') roomId: string): Promise<RoomSessionResponse> {
    return this.rooms.session(user, roomId);
  }
}
