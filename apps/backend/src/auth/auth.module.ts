import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { BackendConfig } from '../config/backend.config';
import { QuotasModule } from '../quotas/quotas.module';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';
import { AdminSecret } from './admin-secret';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { accessTokenKey } from './access-token.key';
import { JwtStrategy } from './jwt.strategy';
import { SessionTokenSigner } from './session-token.signer';

@Module({
  imports: [
    PassportModule,
    QuotasModule,
    JwtModule.registerAsync({
      inject: [BackendConfig],
      useFactory: (config: BackendConfig) => ({
        privateKey: accessTokenKey(config),
        signOptions: { algorithm: 'HS256', expiresIn: config.ACCESS_TOKEN_TTL_S },
      }),
    }),
  ],
  controllers: [AuthController, AdminController],
  providers: [AuthService, JwtStrategy, SessionTokenSigner, AdminSecret, AdminGuard, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [SessionTokenSigner, AdminSecret, AdminGuard],
})
export class AuthModule {}
