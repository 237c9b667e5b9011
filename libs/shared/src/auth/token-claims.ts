import type { RoomKindName } from '../protocol/version-3';

/** Token kinds: a token of one kind is refused where the other is required. */
export const TokenType = {
  Access: 'access',
  Session: 'session',
} as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

/** Claims of the access token from `POST /api/login`. */
export interface AccessTokenClaims {
  typ: typeof TokenType.Access;
  /** User id (generated at login). */
  sub: string;
  /** Display name. */
  name: string;
  /** `admin` on the token of `POST /api/admin/login`: sees every room in the cluster view, may drain and move. */
  role?: 'admin';
}

/** Claims of a session token from `POST /api/rooms/:roomId`: one room, one session server. */
export interface SessionTokenClaims {
  typ: typeof TokenType.Session;
  sub: string;
  name: string;
  /** Room id the socket joins. */
  room: string;
  /** Id of the session server that must accept it. */
  aud: string;
  /** Epoch of the room's placement on that server: it serves the room under this epoch only. */
  epoch: number;
  /** The room's name (null when it has none), for `welcome`: the session server has no directory. Version 2. */
  roomName?: string | null;
  /** The room's kind; absent (tokens of a backend before version 3) means `chat`. Version 3. */
  kind?: RoomKindName;
}

/** Algorithm of session tokens: the backend alone holds the private key, session servers only verify. */
export const SESSION_TOKEN_ALGORITHM = 'ES256';
