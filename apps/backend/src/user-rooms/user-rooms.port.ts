export const USER_ROOMS = Symbol('USER_ROOMS');

/** Most room ids remembered per user (the most recently opened); older ones are forgotten. */
export const USER_ROOMS_MAX = 500;

/**
 * Which rooms each user has opened a session for (or created): the cluster view shows a user only
 * those, since a room id is the only key to a room. An entry is forgotten `ttlMs` after the user last
 * opened the room. Adapters: memory (one backend process) and Redis (shared by the replicas).
 */
export interface UserRooms {
  remember(userId: string, roomId: string, now: number): Promise<void>;
  /** The room ids the user opened within the TTL (at most USER_ROOMS_MAX). */
  roomsOf(userId: string, now: number): Promise<Set<string>>;
  close(): Promise<void>;
}
