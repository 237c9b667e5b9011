import type { QuotaRule } from '../../quotas/quota-counter.port';
import type { OpenedRoom } from '../../scheduler/directory/session-directory.port';

export const ROOM_OPENER = Symbol('ROOM_OPENER');

/** One get-or-start call: who, which room, when, and the quota it counts against. */
export interface RoomOpening {
  userId: string;
  roomId: string;
  now: number;
  quota: QuotaRule;
}

/** Refused by the quota (then nothing else was done), or what SessionDirectory.openRoom answers (null: no such room). */
export type OpeningOutcome = { refused: true; retryAfterMs: number } | { refused: false; opened: OpenedRoom | null };

/**
 * The get-or-start step: counts the call against the user's quota; when refused, nothing else
 * happens (no placement, nothing recorded); else opens the room as SessionDirectory.openRoom does
 * (fencing epoch and all) and, when the room exists, records it in the user's room list (UserRooms).
 * Adapters: stepwise (each part through its own port: memory mode, where a part costs no round trip)
 * and Redis (one script doing all three: one round trip, atomic across backend replicas).
 */
export interface RoomOpener {
  open(opening: RoomOpening): Promise<OpeningOutcome>;
  close(): Promise<void>;
}
