import type { UserRef } from '../protocol/payloads';

/** `POST /api/login` body. */
export interface LoginRequest {
  /** Display name, 1–32 code points after trimming, no control characters. */
  name: string;
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
}

/** `POST /api/rooms` success (201). */
export interface CreateRoomResponse {
  roomId: string;
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
  url: string;
  capacity: number;
  rooms: string[];
  connections: number;
  draining: boolean;
  alive: boolean;
  lastHeartbeat: number;
}

/** `GET /api/cluster`: which room lives where, load per server. */
export interface ClusterView {
  servers: ClusterServer[];
  /** When this view was taken, epoch ms. */
  at: number;
}
