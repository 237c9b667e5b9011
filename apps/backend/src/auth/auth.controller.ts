import type { LoginResponse } from '@app/shared';
import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { Public } from './public.decorator';
import { ErrorBodyDto } from '../validation/error-body.dto';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @ApiOperation({ summary: 'Guest login by display name', description: 'Returns an access token for the other /api calls.' })
  @ApiCreatedResponse({ type: LoginResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'The name breaks a rule (empty, too long, control characters, not a string).' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'Too many logins from this address.' })
  login(@Body() body: LoginDto): LoginResponse {
    return this.auth.login(body.name, body.previousToken);
  }
}
