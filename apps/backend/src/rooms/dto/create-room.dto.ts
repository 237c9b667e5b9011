import { CreateRoomRequest, CreateRoomResponse, DEFAULT_ROOM_KIND, ROOM_KIND_NAMES, RoomSessionResponse, type RoomKindName } from '@app/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Validate } from 'class-validator';
import { RoomNameRule } from '../../validation/text-rule.validator';

export class CreateRoomDto implements CreateRoomRequest {
  @ApiPropertyOptional({
    description: 'Optional room name, at most 64 characters, at least one visible; no control, bidirectional control or zero-width characters',
    maxLength: 64,
    example: 'Design review',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Validate(RoomNameRule)
  name?: string;

  @ApiPropertyOptional({ description: 'What the room holds (version 3): messages or a shared board', enum: ROOM_KIND_NAMES, default: DEFAULT_ROOM_KIND })
  @IsOptional()
  @IsIn(ROOM_KIND_NAMES, { message: `kind must be one of: ${ROOM_KIND_NAMES.join(', ')}` })
  kind?: RoomKindName;
}

export class CreateRoomResponseDto implements CreateRoomResponse {
  @ApiProperty({ description: 'URL-safe, unguessable (96 random bits)', example: 'kq3V9xL0bT2mZp8w' }) roomId: string;
  @ApiProperty({ description: 'The trimmed name given, or null', type: String, nullable: true, example: 'Design review' }) name: string | null;
  @ApiProperty({ description: "The room's kind (version 3)", enum: ROOM_KIND_NAMES, example: 'chat' }) kind: RoomKindName;
}

export class RoomSessionResponseDto implements RoomSessionResponse {
  @ApiProperty({ example: 'kq3V9xL0bT2mZp8w' }) roomId: string;
  @ApiProperty({ description: 'WebSocket address of the owning session server; append ?token=…[&since=…]', example: 'ws://127.0.0.1:8001' })
  url: string;
  @ApiProperty({ description: 'Session token: about a minute, for this room on this server only' }) token: string;
  @ApiProperty({ example: 'session-8001-1' }) serverId: string;
  @ApiProperty({ description: "Epoch of the room's placement: grows with every placement (fencing token; the session token carries it too)", example: 3 })
  epoch: number;
  @ApiProperty({ description: 'The room name, or null', type: String, nullable: true, example: 'Design review' }) name: string | null;
  @ApiProperty({ description: "The room's kind (version 3): the session token carries it too", enum: ROOM_KIND_NAMES, example: 'chat' }) kind: RoomKindName;
}
