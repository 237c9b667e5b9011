import type { LoginResponse } from '@app/shared';
import { Body, Controller, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadableThrottlerGuard } from './readable-throttler.guard';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { Public } from './public.decorator';
import { ApiErrorResponse, ApiRateLimitedError } from '../validation/api-error-response.decorator';

@ApiTags('auth')
@Public()
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @UseGuards(ReadableThrottlerGuard)
  @Post('login')
  @ApiOperation({ operationId: 'login', summary: 'Guest login by display name', description: 'Returns an access token for the other /api calls.' })
  @ApiCreatedResponse({ type: LoginResponseDto })
  @ApiErrorResponse(400, 'The name breaks a rule (empty, too long, control characters, not a string).', ['name must not be empty'])
  @ApiRateLimitedError('Too many logins from this address, or too many new guests from it this hour (then with Retry-After).')
  login(@Body() body: LoginDto, @Ip() address: string): Promise<LoginResponse> {
    return this.auth.login(body.name, body.previousToken, address);
  }
}
