import type { FrameErrorCode } from './events';
import type { FrameErrorCodeV2 } from './version-2';

/** A user as other members see them. */
export interface UserRef {
  id: string;
  name: string;
}

/** One chat message. `seq` starts at 1 and grows by one per message in a room, with no gaps. */
export interface Message {
  seq: number;
  /** The sender's `clientMsgId`. */
  id: string;
  userId: string;
  name: string;
  text: string;
  /** Epoch milliseconds, set by the server. */
  ts: number;
}

export interface RoomLimits {
  maxMessageLength: number;
  maxMembers: number;
  maxFrameBytes: number;
}

export interface WelcomePayload {
  roomId: string;
  serverId: string;
  you: UserRef;
  members: UserRef[];
  messages: Message[];
  lastSeq: number;
  limits: RoomLimits;
  /** Epoch (fencing token) of the room's placement this server serves it under (protocol version 2). */
  epoch: number;
}

export interface SendPayload {
  text: string;
  clientMsgId: string;
}

export type TypingRequest = Record<string, never>;

export interface HistoryRequest {
  before: number;
  limit?: number;
}

export interface AckPayload {
  clientMsgId: string;
  seq: number;
}

export interface PresencePayload {
  user: UserRef;
}

export interface TypingPayload {
  user: UserRef;
}

export interface HistoryPayload {
  messages: Message[];
  hasMore: boolean;
}

/** `moved`: the room lives elsewhere now; the socket closes with 1012 right after. */
export type MovedPayload = Record<string, never>;

export interface ErrorPayload {
  code: FrameErrorCode | FrameErrorCodeV2;
  message: string;
}
