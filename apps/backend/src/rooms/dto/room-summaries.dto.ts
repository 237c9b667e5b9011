import { ROOM_KIND_NAMES, RoomSummariesResponse, RoomSummary, type RoomKindName } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

/** 1–50 comma-separated ids, each 1–64 URL-safe characters; no blanks, no spaces. */
export const ROOM_ID_LIST = /^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,49}$/;

export class RoomSummariesQueryDto {
  @ApiProperty({ description: '1 to 50 room ids, comma-separated', example: 'kq3V9xL0bT2mZp8w,Zt4m9QxLr2VbK8wp' })
  @IsString()
  @Matches(ROOM_ID_LIST, { message: 'ids must be 1 to 50 room ids separated by commas' })
  ids: string;
}

export class RoomSummaryDto implements RoomSummary {
  @ApiProperty({ example: 'kq3V9xL0bT2mZp8w' }) roomId: string;
  @ApiProperty({ description: 'The room name, or null', type: String, nullable: true, example: 'Design review' }) name: string | null;
  @ApiProperty({ description: "The room's kind (version 3)", enum: ROOM_KIND_NAMES, example: 'chat' }) kind: RoomKindName;
  @ApiProperty({ description: "Seq of the newest message as last reported by the room's session server (a few seconds old at most); 0 if never", example: 42 })
  lastSeq: number;
  @ApiProperty({ description: 'Distinct users connected, as last reported; 0 when no server holds the room', example: 2 }) online: number;
  @ApiProperty({
    description: "Epoch ms of the room's last message or connection change its server reported (its creation if none)",
    example: 1_700_000_000_000,
  })
  lastActivityAt: number;
}

export class RoomSummariesResponseDto implements RoomSummariesResponse {
  @ApiProperty({ type: [RoomSummaryDto], description: 'The live rooms among those asked, in the order asked; unknown or expired ids are left out' })
  rooms: RoomSummaryDto[];
}
