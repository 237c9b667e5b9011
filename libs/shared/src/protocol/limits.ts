/** Default limits of the protocol; every one is configurable on the session server. */
export const DEFAULT_LIMITS = {
  /** Longest message text, in Unicode code points. */
  maxMessageLength: 4000,
  /** Most unique users connected to one room at once. */
  maxMembers: 100,
  /** Largest frame a client may send, in bytes; larger closes the socket with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Messages in a `welcome` without `since`. */
  historyLimit: 100,
  /** Most messages in a `welcome` with `since`; also how many `clientMsgId`s a room remembers at least. */
  resumeLimit: 1000,
  /** Sustained frames per second per user per room (summed over that user's sockets in the room). */
  ratePerSecond: 10,
  /** Burst of frames per user per room. */
  rateBurst: 40,
  /** Most open sockets of one user in one room; one more is closed with 4429. */
  maxSocketsPerUser: 5,
  /** Rejected frames in a row on one socket after which it is closed with 4429. */
  floodCloseAfter: 50,
  /** Default and largest `limit` of a `history` request. */
  historyPageDefault: 50,
  historyPageMax: 100,
  /** Longest display name and room name, in code points. */
  maxNameLength: 32,
  maxRoomNameLength: 64,
  /** Longest `clientMsgId`, in code points. */
  maxClientMsgIdLength: 64,
  /** Longest reaction emoji, in code points (version 2). */
  maxEmojiLength: 16,
  /** Most distinct emoji on one message; one more is refused with `limit` (version 2). */
  maxReactionsPerMessage: 20,
  /** Least time between two `read` notices about one user passed on to the others, in ms (version 2). */
  readNoticeMs: 1000,
} as const;
