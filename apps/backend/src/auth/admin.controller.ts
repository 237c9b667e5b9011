import type { AdminLoginResponse } from '@app/shared';
import { Body, Controller, ForbiddenException, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadableThrottlerGuard } from './readable-throttler.guard';
import { ApiErrorResponse, ApiRateLimitedError } from '../validation/api-error-response.decorator';
import { AdminSecret } from './admin-secret';
import { AuthService } from './auth.service';
import { AdminLoginDto, AdminLoginResponseDto } from './dto/admin-login.dto';
import { Public } from './public.decorator';

@ApiTags('admin')
@Public()
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly secret: AdminSecret,
    private readonly auth: AuthService,
  ) {}

  @UseGuards(ReadableThrottlerGuard)
  @Post('login')
  @ApiOperation({
    operationId: 'adminLogin',
    summary: 'Operator login',
    description: 'Trades the backend\'s ADMIN_SECRET for an access token with `role: "admin"`.',
  })
  @ApiCreatedResponse({ type: AdminLoginResponseDto })
  @ApiErrorResponse(400, 'No secret, or not a string.', ['secret must be a string'])
  @ApiErrorResponse(401, 'Wrong secret.', 'wrong admin secret')
  @ApiErrorResponse(403, 'No ADMIN_SECRET is set on this backend (production): there is no admin.', 'there is no admin on this server: ADMIN_SECRET is not set')
  @ApiRateLimitedError('Too many attempts from this address.')
  login(@Body() body: AdminLoginDto): AdminLoginResponse {
    if (!this.secret.configured) throw new ForbiddenException('there is no admin on this server: ADMIN_SECRET is not set');
    if (!this.secret.matches(body.secret)) throw new UnauthorizedException('wrong admin secret');
    return { token: this.auth.adminToken() };
  }
}
