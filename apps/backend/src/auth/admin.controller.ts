import type { AdminLoginResponse } from '@app/shared';
import { Body, Controller, ForbiddenException, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ErrorBodyDto } from '../validation/error-body.dto';
import { AdminSecret } from './admin-secret';
import { AuthService } from './auth.service';
import { AdminLoginDto, AdminLoginResponseDto } from './dto/admin-login.dto';
import { Public } from './public.decorator';

@ApiTags('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly secret: AdminSecret,
    private readonly auth: AuthService,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @ApiOperation({ summary: 'Operator login', description: 'Trades the backend\'s ADMIN_SECRET for an access token with `role: "admin"`.' })
  @ApiCreatedResponse({ type: AdminLoginResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Wrong secret.' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'No ADMIN_SECRET is set on this backend (production): there is no admin.' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'Too many attempts from this address.' })
  login(@Body() body: AdminLoginDto): AdminLoginResponse {
    if (!this.secret.configured) throw new ForbiddenException('there is no admin on this server: ADMIN_SECRET is not set');
    if (!this.secret.matches(body.secret)) throw new UnauthorizedException('wrong admin secret');
    return { token: this.auth.adminToken() };
  }
}
