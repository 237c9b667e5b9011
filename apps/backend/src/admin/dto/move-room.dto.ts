import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export class MoveRoomDto {
  @ApiPropertyOptional({ description: 'Server id to move the room to; the least loaded other server when omitted', example: 'session-8002' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'to must be a server id' })
  to?: string;
}

export class MoveRoomAcceptedDto {
  @ApiProperty({ example: 'kq3V9xL0bT2mZp8w' }) roomId: string;
  @ApiProperty({ description: 'Server the room is placed on now', example: 'session-8002' }) serverId: string;
  @ApiProperty({ description: 'Epoch of the new placement', example: 4 }) epoch: number;
}

export class DrainAcceptedDto {
  @ApiProperty({ example: 'session-8001' }) serverId: string;
  @ApiProperty({ description: 'Rooms placed elsewhere; their members move at the server’s next heartbeat', type: [String] }) movedRooms: string[];
}
