import { AdminLoginRequest, AdminLoginResponse } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class AdminLoginDto implements AdminLoginRequest {
  @ApiProperty({ description: "The backend's ADMIN_SECRET" })
  @IsString()
  @MinLength(1, { message: 'secret must not be empty' })
  @MaxLength(1024)
  secret: string;
}

export class AdminLoginResponseDto implements AdminLoginResponse {
  @ApiProperty({ description: 'Access token (JWT) with `role: "admin"` for `Authorization: Bearer`' }) token: string;
}
