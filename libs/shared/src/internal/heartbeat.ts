/**
 * Internal contract between session servers and the backend (not public, not in Swagger).
 * A session server POSTs a heartbeat to `${BACKEND_URL}${HEARTBEAT_PATH}` on boot and every
 * heartbeat interval, with the shared secret in the `INTERNAL_SECRET_HEADER` header. BACKEND_URL is
 * the backend's internal listener (INTERNAL_PORT); its public port answers 404 here.
 */
export const HEARTBEAT_PATH = '/internal/sessions/heartbeat';
export const INTERNAL_SECRET_HEADER = 'x-internal-secret';

/** What a session server holds of one room. */
export interface HeldRoom {
  roomId: string;
  connections: number;
  /** Epoch ms of the room's last message or connection change. */
  lastActivity: number;
  /** Epoch of the placement the server holds the room under (absent from servers before fencing). */
  epoch?: number;
  /** Unique users connected now. */
  members?: number;
  /** Seq of the room's newest stored message (version 2: the backend's room summaries). */
  lastSeq?: number;
  /**
   * Ids of the users connected, only while the room is full (`members` ≥ the server's maxMembers):
   * the backend answers get-or-start with 409 to anyone else. Absent otherwise, so heartbeats stay small.
   */
  memberIds?: string[];
  /**
   * Instead of `memberIds`: the room is still full with the same users this server listed in an
   * earlier heartbeat the backend answered, so the backend keeps that list. A full room's ids go
   * again when its members change, at least every FULL_MEMBER_LISTS_EVERY beats (a backend that
   * lost them, restarted, learns them again), and after a failed beat. A backend that has no list
   * for the room treats it as not full until then; the session server still refuses a new user in
   * a full room, so nobody gets in who should not. (Session servers that send it need backends
   * that know it: upgrade backends first.)
   */
  membersUnchanged?: boolean;
}

/** A full room's member ids go in at least every this many heartbeats, changed or not. */
export const FULL_MEMBER_LISTS_EVERY = 30;

export interface SessionHeartbeat {
  serverId: string;
  /** Public `ws://`/`wss://` address clients connect to. */
  url: string;
  /** Most rooms this server takes. */
  capacity: number;
  /** Rooms in memory now. A restarted backend rebuilds placements from these. */
  rooms: HeldRoom[];
  connections: number;
  /** True once the server stopped taking rooms (SIGTERM). */
  draining: boolean;
  /**
   * Identity of the server's room store (kept in the store: a SQLite file, a Redis keyspace; for
   * memory, the process). The backend places a room only on servers with the store that holds its
   * history. Absent from servers before store identities: they may take any room.
   */
  store?: string;
}

export interface HeartbeatReply {
  /** A heartbeat older than this makes the server dead. */
  ttlMs: number;
  /**
   * Rooms this server reported that the directory has placed elsewhere (or again, under a newer
   * epoch): close their sockets with 4404, unless the room is held under a newer epoch than reported.
   */
  revoked: string[];
  /**
   * Rooms this server reported that were placed on another server by a drain or an operator's move:
   * store what was accepted, then send each member `moved` and close with 1012.
   */
  moved?: string[];
  /** An operator drained this server: take no more rooms (as after SIGTERM), but keep running. */
  drain?: boolean;
  /** PEM (SPKI) public key that verifies session tokens. */
  sessionTokenPublicKey: string;
  /**
   * HMAC-SHA256 of `sessionTokenPublicKey`, keyed by INTERNAL_SECRET, base64url
   * (`internal/session-key-mac.ts`): a session server takes the key only when it matches, and
   * so never from a reply without it.
   */
  sessionTokenPublicKeyMac?: string;
}
