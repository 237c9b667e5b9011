import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SessionTokenVerifier } from '../auth/session-token.verifier';
import { SessionConfig } from '../config/session.config';
import { ServerState } from '../lifecycle/server-state';
import { RoomsService } from '../rooms/rooms.service';

/**
 * Ready to take connections: it has a key to verify session tokens with (pinned or from the first
 * heartbeat reply) and is not draining. Details carry what this server holds, up or down.
 */
@Injectable()
export class SessionStateHealthIndicator {
  constructor(
    private readonly config: SessionConfig,
    private readonly rooms: RoomsService,
    private readonly verifier: SessionTokenVerifier,
    private readonly state: ServerState,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(key: string): HealthIndicatorResult {
    const check = this.indicator.check(key);
    const state = this.state.draining ? 'draining' : this.verifier.ready ? 'ready' : 'starting';
    const details = {
      state,
      serverId: this.config.serverId,
      rooms: this.rooms.roomCount,
      connections: this.rooms.connectionCount,
    };
    return state === 'ready' ? check.up(details) : check.down(details);
  }
}
