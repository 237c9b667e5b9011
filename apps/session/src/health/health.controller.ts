import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SessionTokenVerifier } from '../auth/session-token.verifier';
import { SessionConfig } from '../config/session.config';
import { ServerState } from '../lifecycle/server-state';
import { RoomsService } from '../rooms/rooms.service';

/** Readiness of this session server: 503 while draining or before it can verify tokens. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly config: SessionConfig,
    private readonly rooms: RoomsService,
    private readonly verifier: SessionTokenVerifier,
    private readonly state: ServerState,
  ) {}

  @Get()
  health(@Res({ passthrough: true }) res: Response) {
    const status = this.state.draining ? 'draining' : this.verifier.ready ? 'ok' : 'starting';
    if (status !== 'ok') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status,
      serverId: this.config.serverId,
      rooms: this.rooms.roomCount,
      connections: this.rooms.connectionCount,
    };
  }
}
