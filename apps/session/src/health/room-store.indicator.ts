import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ROOM_STORE, type RoomStore } from '../store/room-store.port';

/** A readiness probe waits about a second; a store that has not answered by then counts as down. */
const PING_TIMEOUT_MS = 1000;

/**
 * The room store answers (Redis PING). Without it no message can be acknowledged, so a server that
 * cannot reach it should get no new connections; stores inside the process have no such check.
 */
@Injectable()
export class RoomStoreHealthIndicator {
  constructor(
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    private readonly indicator: HealthIndicatorService,
  ) {}

  /** Whether the configured store has a remote side to check. */
  get applies(): boolean {
    return typeof this.store.ping === 'function';
  }

  async check(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.ping!(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return check.up();
    } catch (err) {
      return check.down({ message: `unreachable: ${(err as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
  }
}
