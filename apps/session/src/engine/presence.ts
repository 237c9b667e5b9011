import type { UserRef } from '@app/shared';
import type { RoomMember } from './member-socket';

/** One user present in a room, with how many connections it holds there. */
interface Present {
  user: UserRef;
  connections: number;
  lastTypingAt: number;
}

/** Last member-set version handed out, shared by every room of the process (see `version`). */
let membersVersions = 0;

/**
 * Who is in one room: its connections, and the users behind them (a user may hold several
 * connections: tabs, devices). Knows nothing of frames; the room host tells the others.
 */
export class Presence {
  readonly connections = new Set<RoomMember>();
  private readonly users = new Map<string, Present>();
  private ver = ++membersVersions;

  /**
   * Changes whenever a user joins or leaves, and is never the same for two rooms of this process:
   * the heartbeat lists a full room's members only when this differs from the last beat's.
   */
  get version(): number {
    return this.ver;
  }

  get userCount(): number {
    return this.users.size;
  }

  has(member: RoomMember): boolean {
    return this.connections.has(member);
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  userIds(): string[] {
    return [...this.users.keys()];
  }

  /** The users present, in the order they came. */
  userRefs(): UserRef[] {
    const refs: UserRef[] = [];
    for (const p of this.users.values()) refs.push(p.user);
    return refs;
  }

  /** Adds a connection; true when it is its user's first. */
  add(member: RoomMember): boolean {
    this.connections.add(member);
    const present = this.users.get(member.user.id);
    if (present) {
      present.connections++;
      return false;
    }
    this.users.set(member.user.id, { user: member.user, connections: 1, lastTypingAt: -Infinity });
    this.ver = ++membersVersions;
    return true;
  }

  /**
   * Removes a connection: undefined when it was not here, the user when it was the user's last
   * connection, else null.
   */
  remove(member: RoomMember): UserRef | null | undefined {
    if (!this.connections.delete(member)) return undefined;
    const present = this.users.get(member.user.id);
    if (!present || --present.connections > 0) return null;
    this.users.delete(member.user.id);
    this.ver = ++membersVersions;
    return present.user;
  }

  /** The user of `member` when it may be announced as typing now (at most once per `throttleMs`), else null. */
  typing(member: RoomMember, now: number, throttleMs: number): UserRef | null {
    const present = this.users.get(member.user.id);
    if (!present || !this.connections.has(member)) return null;
    if (now - present.lastTypingAt < throttleMs) return null;
    present.lastTypingAt = now;
    return present.user;
  }

  clear(): void {
    this.connections.clear();
    this.users.clear();
  }
}
