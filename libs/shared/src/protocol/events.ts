/** Events a client sends to a session server. */
export const ClientEvent = {
  Send: 'send',
  Typing: 'typing',
  History: 'history',
} as const;
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

/** Events a session server sends to its clients. */
export const ServerEvent = {
  Welcome: 'welcome',
  Message: 'message',
  Ack: 'ack',
  Joined: 'joined',
  Left: 'left',
  Typing: 'typing',
  History: 'history',
  Error: 'error',
  /** The room was placed on another server (drain, operator's move): ask the backend again at once. Version 2. */
  Moved: 'moved',
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

/** `code` of an `error` frame: why a client frame was rejected. */
export const FrameErrorCode = {
  BadJson: 'bad_json',
  BadFrame: 'bad_frame',
  UnknownEvent: 'unknown_event',
  Invalid: 'invalid',
  TooLong: 'too_long',
  RateLimited: 'rate_limited',
} as const;
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode];
