import type { FactoryProvider } from '@nestjs/common';
import { SessionConfig } from '../config/session.config';
import { SessionTokenVerifier } from './session-token.verifier';

export const sessionTokenVerifierProvider: FactoryProvider<SessionTokenVerifier> = {
  provide: SessionTokenVerifier,
  inject: [SessionConfig],
  useFactory: (config: SessionConfig) => new SessionTokenVerifier(config.serverId, config.SESSION_TOKEN_PUBLIC_KEY),
};
