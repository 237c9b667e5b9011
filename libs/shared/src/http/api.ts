import type { RoomKindName } from '../protocol/version-3';
import type { UserRef } from '../protocol/payloads';

/** `POST /api/login` body. */
export interface LoginRequest {
  /** Display name, 1–32 code points after trimming, no control characters. */
  name: string;
  /**
   * The still-valid access token this browser got before for the same name: the new token keeps its
   * user id, so one person stays one user across tabs and logins. Ignored when invalid, expired or
   * for another name (the login then gets a new id); a client can never choose an id.
   */
  previousToken?: string;
}

/** `POST /api/admin/login` body. */
export interface AdminLoginRequest {
  /** The backend's ADMIN_SECRET. */
  secret: string;
}

/** `POST /api/admin/login` success (201): an access token with `role: "admin"`. */
export interface AdminLoginResponse {
  token: string;
}

/** `POST /api/login` success (201). */
export interface LoginResponse {
  /** Access token (JWT, Bearer) for the other `/api` calls. */
  token: string;
  user: UserRef;
}

/** `POST /api/rooms` body. */
export interface CreateRoomRequest {
  name?: string;
  /** What the room holds (version 3; default `chat`). */
  kind?: RoomKindName;
}

/** `POST /api/rooms` success (201). */
export interface CreateRoomResponse {
  roomId: string;
  /** The trimmed name given, or null (version 2). */
  name: string | null;
  /** The room's kind (version 3). */
  kind: RoomKindName;
}

/** `POST /api/rooms/:roomId` success (200): where to connect for this room. */
export interface RoomSessionResponse {
  roomId: string;
  /** `ws://` or `wss://` address of the owning session server; append `?token=…[&since=…]`. */
  url: string;
  /** Session token: short-lived, for this room on this server only. */
  token: string;
  serverId: string;
  /** Epoch of the room's placement (grows with every placement); the token carries it too. */
  epoch: number;
  /** The room's name, or null. */
  name: string | null;
  /** The room's kind (version 3). */
  kind: RoomKindName;
}

/** Nest's error body shape. */
export interface ApiErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
}

/** One session server as the cluster view shows it. */
export interface ClusterServer {
  id: string;
  /** Its public WebSocket address: only in an admin's view. */
  url?: string;
  capacity: number;
  /** Rooms placed on it now. */
  roomCount: number;
  /** Room ids placed on it: every one for an admin, else only those the caller opened a session for. */
  rooms: string[];
  connections: number;
  draining: boolean;
  alive: boolean;
  lastHeartbeat: number;
}

/** `GET /api/cluster`: which room lives where, load per server. */
export interface ClusterView {
  servers: ClusterServer[];
  /** `all`: an admin's view, every room; `own`: only the caller's rooms are named. */
  scope: 'all' | 'own';
  /** When this view was taken, epoch ms. */
  at: number;
}
