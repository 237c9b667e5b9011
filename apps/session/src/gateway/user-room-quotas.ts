import { TokenBucket, type TokenBucketOptions } from './frame-rate-limiter';

export interface UserRoomQuotaOptions extends TokenBucketOptions {
  /** Open sockets one user may have in one room. */
  maxSockets: number;
}

interface UserInRoom {
  sockets: number;
  /** Frames of all the user's sockets in the room come out of this one bucket. */
  bucket: TokenBucket;
}

/** Entries above which admitting a new user also forgets those with no socket and a full bucket. */
const SWEEP_ABOVE = 1024;

/**
 * The quotas of a user (session token `sub`) in a room on this server: at most `maxSockets` open
 * sockets, and one frame budget summed over them. A user who left keeps their budget until it has
 * refilled, so closing and reopening sockets never buys more frames.
 */
export class UserRoomQuotas {
  private readonly users = new Map<string, UserInRoom>();
  private readonly keyOf = new WeakMap<object, string>();
  private sweepAt = SWEEP_ABOVE;

  constructor(
    private readonly options: UserRoomQuotaOptions,
    private readonly now: () => number,
  ) {}

  /** The user's shared frame budget for this socket, or null when the user has all their sockets open already. */
  admit(socket: object, roomId: string, userId: string): TokenBucket | null {
    const key = `${roomId}\u0000${userId}`;
    let entry = this.users.get(key);
    if (!entry) {
      if (this.users.size >= this.sweepAt) this.sweep();
      entry = { sockets: 0, bucket: new TokenBucket(this.options, this.now) };
      this.users.set(key, entry);
    }
    if (entry.sockets >= this.options.maxSockets) return null;
    entry.sockets++;
    this.keyOf.set(socket, key);
    return entry.bucket;
  }

  /** A socket admitted before closed (again: no effect). */
  release(socket: object): void {
    const key = this.keyOf.get(socket);
    if (key === undefined) return;
    this.keyOf.delete(socket);
    const entry = this.users.get(key);
    if (!entry) return;
    entry.sockets--;
    if (entry.sockets === 0 && entry.bucket.full) this.users.delete(key);
  }

  /** Users tracked now (tests). */
  get size(): number {
    return this.users.size;
  }

  private sweep(): void {
    for (const [key, entry] of this.users) if (entry.sockets === 0 && entry.bucket.full) this.users.delete(key);
    this.sweepAt = Math.max(SWEEP_ABOVE, this.users.size * 2);
  }
}
