import type { QuotaCounter } from '../../quotas/quota-counter.port';
import type { SessionDirectory } from '../../scheduler/directory/session-directory.port';
import type { UserRooms } from '../../user-rooms/user-rooms.port';
import type { OpeningOutcome, RoomOpener, RoomOpening } from './room-opener.port';

/**
 * The get-or-start step through the three ports one after the other: right where each part is a
 * call into this process (memory mode). The ports are closed by their own modules.
 */
export class StepwiseRoomOpener implements RoomOpener {
  constructor(
    private readonly directory: SessionDirectory,
    private readonly counter: QuotaCounter,
    private readonly userRooms: UserRooms,
  ) {}

  async open({ userId, roomId, now, quota }: RoomOpening): Promise<OpeningOutcome> {
    const verdict = await this.counter.take(quota.key, quota.limit, quota.windowMs, now);
    if (!verdict.allowed) return { refused: true, retryAfterMs: verdict.retryAfterMs };
    const opened = await this.directory.openRoom(roomId, now);
    if (opened) await this.userRooms.remember(userId, roomId, now);
    return { refused: false, opened };
  }

  async close(): Promise<void> {}
}
