import {
  FrameErrorCode,
  type FrameErrorCodeV2,
  ServerEvent,
  type Message,
  type ServerEventMap,
  type ServerEventMapV2,
  type ServerEventMapV3,
  type WelcomeV2Fields,
  type WelcomeV3Fields,
  type BoardWelcomeFields,
} from '@app/shared';

/** Every server → client event, versions 1 to 3 (`welcome` of either kind). */
export type AnyServerEventMap = Omit<ServerEventMap, typeof ServerEvent.Welcome> & {
  [ServerEvent.Welcome]: WelcomeFrameData | BoardWelcomeFrameData;
} & ServerEventMapV2 &
  ServerEventMapV3;

/**
 * An encoded server → client frame. Encoded once (JSON.stringify, then UTF-8) and handed as the
 * same Buffer to every recipient: `ws` sends a Buffer without copying or re-encoding it, where a
 * string would be encoded again per socket.
 */
export type EncodedFrame = Buffer;

/** `ws` send options of a text frame built from a Buffer. */
export const TEXT_FRAME = { binary: false } as const;

export function encodeFrame<E extends keyof AnyServerEventMap>(event: E, data: AnyServerEventMap[E]): EncodedFrame {
  return Buffer.from(JSON.stringify({ event, data }));
}

const MESSAGE_FRAME_HEAD = `{"event":"${ServerEvent.Message}","data":`;

/** Where the message's JSON starts in a `message` frame; it ends one byte before the frame does. */
export const MESSAGE_DATA_START = Buffer.byteLength(MESSAGE_FRAME_HEAD);

/**
 * A `message` frame, the same bytes as `encodeFrame(ServerEvent.Message, message)`, built so that
 * bytes [MESSAGE_DATA_START, length - 1) are the message's own JSON: the room keeps a copy of them
 * instead of encoding the message a second time.
 */
export function encodeMessageFrame(message: Message): EncodedFrame {
  return Buffer.from(`${MESSAGE_FRAME_HEAD}${JSON.stringify(message)}}`);
}

const FRAME_END = Buffer.from('}}');

/** What this server's `welcome` of a chat room carries: version 1's fields, every version-2 one and the kind. */
export type WelcomeFrameData = ServerEventMap[typeof ServerEvent.Welcome] & Required<WelcomeV2Fields> & Required<WelcomeV3Fields>;

/** The fields of a chat's `welcome` that a board's has not (it carries its document instead). */
type ChatWelcomeOnly = 'messages' | 'rev' | 'readSeq' | 'reads' | 'changed';

/** What this server's `welcome` of a board carries: `state` or (a resume it can serve) `updates`. */
export type BoardWelcomeFrameData = Omit<WelcomeFrameData, ChatWelcomeOnly> & BoardWelcomeFields;

/** Either kind's `welcome` as one shape (what docs/asyncapi.yaml describes; `kind` says which). */
export type AnyWelcomeFrameData = BoardWelcomeFrameData & Partial<Pick<WelcomeFrameData, ChatWelcomeOnly>>;

/**
 * A `welcome` frame whose `data.messages` is already encoded: the UTF-8 bytes of a JSON array from
 * a MessageLog, copied in rather than parsed and encoded again. `messages` comes last in `data`
 * (JSON objects are unordered; clients read fields by name).
 */
export function encodeWelcomeFrame(data: Omit<WelcomeFrameData, 'messages'>, messages: Buffer): EncodedFrame {
  const head = JSON.stringify({ event: ServerEvent.Welcome, data });
  return Buffer.concat([Buffer.from(`${head.slice(0, -2)},"messages":`), messages, FRAME_END]);
}

const staticErrors = new Map<string, EncodedFrame>();

/** An `error` frame; frames with a fixed text are encoded once per process. */
export function errorFrame(code: FrameErrorCode | FrameErrorCodeV2, message: string): EncodedFrame {
  const key = `${code}\u0000${message}`;
  let frame = staticErrors.get(key);
  if (!frame) {
    frame = encodeFrame(ServerEvent.Error, { code, message });
    // Only a bounded set of texts is cached (validation texts come from a fixed list of rules).
    if (staticErrors.size < 256) staticErrors.set(key, frame);
  }
  return frame;
}
