import { DEFAULT_LIMITS, LoginRequest, LoginResponse, UserRef } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MinLength, Validate } from 'class-validator';
import { MaxCodePoints } from '../../validation/max-code-points.validator';

export class LoginDto implements LoginRequest {
  @ApiProperty({ description: 'Display name: 1–32 characters after trimming, no control characters', example: 'Ada', minLength: 1, maxLength: 32 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @Validate(MaxCodePoints, [DEFAULT_LIMITS.maxNameLength])
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  @Matches(/^[^\u0000-\u001f\u007f-\u009f]*$/, { message: 'name must not contain control characters' })
  name: string;
}

export class UserDto implements UserRef {
  @ApiProperty({ example: 'u_4f9c2a1b7d3e' }) id: string;
  @ApiProperty({ example: 'Ada' }) name: string;
}

export class LoginResponseDto implements LoginResponse {
  @ApiProperty({ description: 'Access token (JWT) for `Authorization: Bearer`' }) token: string;
  @ApiProperty({ type: UserDto }) user: UserDto;
}
