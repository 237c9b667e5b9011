import type { Clock } from '../time/clock';

/**
 * How much of the backend's heartbeat TTL the lease lasts. The backend takes this server for dead
 * (and places its rooms elsewhere) once `ttlMs` passed since it received the last heartbeat, which
 * was sent no earlier than `sentAt`: ending the lease at 80 % of the TTL after `sentAt` leaves a
 * fifth of it for clocks that run at slightly different rates and for the frames of the turn in
 * which the lease ends.
 */
export const LEASE_SHARE_OF_TTL = 0.8;

/** What a room asks of the lease: may it send to its members now? */
export interface LeaseView {
  held(): boolean;
}

/**
 * This server's lease on the rooms it holds: valid while the backend has certainly not yet taken
 * the server for dead. Renewed by every answered heartbeat (after the reply's revocations and moves
 * were applied, so every room still held is confirmed); it lapses when heartbeats go unanswered, or
 * when the process was frozen or cut off past it. While it has lapsed, rooms send nothing to their
 * members (they hold their frames until the next renewal, or drop them when they are revoked), so a
 * server that may have lost its rooms never speaks for them, `typing` included.
 */
export class Lease implements LeaseView {
  private until = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  held(): boolean {
    return this.clock.now() < this.until;
  }

  /** Epoch ms at which the lease lapses unless renewed (-Infinity before the first renewal). */
  get expiresAt(): number {
    return this.until;
  }

  /** A heartbeat sent at `sentAt` was answered by a backend whose TTL is `ttlMs`. */
  renew(sentAt: number, ttlMs: number): void {
    const until = sentAt + Math.floor(ttlMs * LEASE_SHARE_OF_TTL);
    if (until <= this.until) return;
    this.until = until;
    if (this.held()) for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every renewal that leaves the lease held; returns the unsubscribe. */
  onRenewed(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** For rooms that run without a backend (specs): always held. */
export const ALWAYS_HELD: LeaseView = { held: () => true };
