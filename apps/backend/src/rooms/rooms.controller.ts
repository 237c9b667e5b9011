import type { CreateRoomResponse, RoomSessionResponse, RoomSummariesResponse, UserRef } from '@app/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CurrentUser } from '../auth/current-user.decorator';
import { ErrorBodyDto } from '../validation/error-body.dto';
import { CreateRoomDto, CreateRoomResponseDto, RoomSessionResponseDto } from './dto/create-room.dto';
import { RoomSummariesQueryDto, RoomSummariesResponseDto } from './dto/room-summaries.dto';
import { RoomsService } from './rooms.service';

@ApiTags('rooms')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Missing, invalid or expired access token (a session token is refused too).' })
@Controller('api/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Create a room', description: 'The scheduler places it on a session server at once.' })
  @ApiCreatedResponse({ type: CreateRoomResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'Bad name or unknown body property.' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'Too many rooms created from this address.' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'No session server has capacity anywhere.' })
  create(@CurrentUser() user: UserRef, @Body() body: CreateRoomDto): Promise<CreateRoomResponse> {
    return this.rooms.create(user, body.name);
  }

  @Get()
  @ApiOperation({
    summary: 'Summaries of rooms',
    description: "Name, last seq, who is online and last activity of up to 50 rooms, as their session servers last reported them (seconds old at most); the rooms' history is not read.",
  })
  @ApiOkResponse({ type: RoomSummariesResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'ids missing, empty, more than 50, or not room ids separated by commas.' })
  summaries(@Query() query: RoomSummariesQueryDto): Promise<RoomSummariesResponse> {
    return this.rooms.summaries(query.ids.split(','));
  }

  @Post(':roomId')
  @HttpCode(200)
  @ApiOperation({
    summary: "Get or start the room's session",
    description: 'Returns the WebSocket address of the session server that owns the room (placing it if needed) and a short-lived session token for it.',
  })
  @ApiOkResponse({ type: RoomSessionResponseDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown or expired room.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'The room is full: its server last reported maxMembers users connected, and the caller is not one of them.' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'No session server can take the room now.' })
  session(@CurrentUser() user: UserRef, @Param('roomId') roomId: string): Promise<RoomSessionResponse> {
    return this.rooms.session(user, roomId);
  }
}
