export { RoomsClient, type RoomsClientOptions } from './rooms-client';
export { RoomsApi, ApiError, type RoomsApiOptions, type SessionSource, type CreatedRoom, type RoomSession } from './rooms-api';
export {
  RoomConnection,
  NO_WELCOME_REASON,
  type RoomConnectionOptions,
  type RoomEventMap,
  type RoomWelcome,
  type PendingSend,
  type OutgoingMessage,
} from './room-connection';
export { RoomClientError, TERMINAL_STATUSES, type ConnectionState, type ConnectionStatus } from './connection-state';
export { MessageLog } from './message-log';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
export { parseRoomRef } from './room-link';
export { TypedEmitter } from './typed-emitter';
export {
  SocketState,
  systemClock,
  type Clock,
  type TimerHandle,
  type ClientEnvironment,
  type WebSocketLike,
  type WebSocketFactory,
  type FetchLike,
  type ResponseLike,
  type RequestInitLike,
} from './environment';
// The protocol itself: event names, close codes, limits, text rules and every payload type.
export * from '@app/shared/protocol/events';
export * from '@app/shared/protocol/close-codes';
export * from '@app/shared/protocol/limits';
export * from '@app/shared/protocol/payloads';
export * from '@app/shared/protocol/event-map';
export * from '@app/shared/protocol/text-rules';
export * from '@app/shared/protocol/version-2';
export type * from '@app/shared/http/api';
