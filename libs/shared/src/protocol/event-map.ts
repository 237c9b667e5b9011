import type { ClientEvent, ServerEvent } from './events';
import type {
  AckPayload,
  ErrorPayload,
  HistoryPayload,
  HistoryRequest,
  Message,
  MovedPayload,
  PresencePayload,
  SendPayload,
  TypingPayload,
  TypingRequest,
  WelcomePayload,
} from './payloads';

/** Payload type of every client → server event. */
export interface ClientEventMap {
  [ClientEvent.Send]: SendPayload;
  [ClientEvent.Typing]: TypingRequest;
  [ClientEvent.History]: HistoryRequest;
}

/** Payload type of every server → client event. */
export interface ServerEventMap {
  [ServerEvent.Welcome]: WelcomePayload;
  [ServerEvent.Message]: Message;
  [ServerEvent.Ack]: AckPayload;
  [ServerEvent.Joined]: PresencePayload;
  [ServerEvent.Left]: PresencePayload;
  [ServerEvent.Typing]: TypingPayload;
  [ServerEvent.History]: HistoryPayload;
  [ServerEvent.Error]: ErrorPayload;
  [ServerEvent.Moved]: MovedPayload;
}

/** Nest's ws envelope: every frame, both ways, is `{ event, data }` as JSON text. */
export interface Frame<M, E extends keyof M = keyof M> {
  event: E;
  data: M[E];
}

export type ClientFrame = { [E in keyof ClientEventMap]: Frame<ClientEventMap, E> }[keyof ClientEventMap];
export type ServerFrame = { [E in keyof ServerEventMap]: Frame<ServerEventMap, E> }[keyof ServerEventMap];
