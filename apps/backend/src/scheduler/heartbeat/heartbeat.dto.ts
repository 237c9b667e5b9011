import { HeldRoom, SessionHeartbeat } from '@app/shared';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

export class HeldRoomDto implements HeldRoom {
  @IsString() @MaxLength(128) roomId: string;
  @IsInt() @Min(0) connections: number;
  @IsInt() @Min(0) lastActivity: number;
  @IsOptional() @IsInt() @Min(1) epoch?: number;
  @IsOptional() @IsInt() @Min(0) members?: number;
  @IsOptional() @IsInt() @Min(0) lastSeq?: number;
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @IsString({ each: true }) @MaxLength(128, { each: true }) memberIds?: string[];
}

export class HeartbeatDto implements SessionHeartbeat {
  @IsString() @Matches(/^[A-Za-z0-9._-]{1,128}$/) serverId: string;
  @IsString() @Matches(/^wss?:\/\/\S+$/, { message: 'url must be a ws:// or wss:// address' }) url: string;
  @IsInt() @Min(1) capacity: number;
  @IsArray() @ArrayMaxSize(100_000) @ValidateNested({ each: true }) @Type(() => HeldRoomDto) rooms: HeldRoomDto[];
  @IsInt() @Min(0) connections: number;
  @IsBoolean() draining: boolean;
}
