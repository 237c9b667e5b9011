import { LoginRequest, LoginResponse, UserRef } from '@app/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, Validate } from 'class-validator';
import { DisplayNameRule } from '../../validation/text-rule.validator';

export class LoginDto implements LoginRequest {
  @ApiProperty({
    description: 'Display name: 1–32 characters after trimming, at least one visible; no control, bidirectional control or zero-width characters',
    example: 'Ada',
    minLength: 1,
    maxLength: 32,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Validate(DisplayNameRule)
  name: string;

  @ApiPropertyOptional({
    description:
      'The still-valid access token this browser got before for the same name: the new token keeps its user id. Ignored when invalid, expired or for another name.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  previousToken?: string;
}

export class UserDto implements UserRef {
  @ApiProperty({ example: 'u_4f9c2a1b7d3e' }) id: string;
  @ApiProperty({ example: 'Ada' }) name: string;
}

export class LoginResponseDto implements LoginResponse {
  @ApiProperty({ description: 'Access token (JWT) for `Authorization: Bearer`' }) token: string;
  @ApiProperty({ type: UserDto }) user: UserDto;
}
