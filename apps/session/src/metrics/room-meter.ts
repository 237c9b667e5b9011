/**
 * What a room counts for the server's metrics. Called on the hot path, so implementations only add
 * to numbers; a broadcast reports its fan-out in one call.
 */
export interface RoomMeter {
  /** A `send` was accepted (appended; a repeated clientMsgId is not). */
  messageAccepted(): void;
  /** `message` frames handed to member sockets. */
  messagesDelivered(count: number): void;
  /** A member was closed for not reading fast enough. */
  slowConsumerClosed(): void;
}

export const NO_ROOM_METER: RoomMeter = {
  messageAccepted: () => undefined,
  messagesDelivered: () => undefined,
  slowConsumerClosed: () => undefined,
};
