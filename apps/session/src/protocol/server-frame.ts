import { FrameErrorCode, ServerEvent, type ServerEventMap } from '@app/shared';

/**
 * An encoded server → client frame. Encoded once (JSON.stringify, then UTF-8) and handed as the
 * same Buffer to every recipient: `ws` sends a Buffer without copying or re-encoding it, where a
 * string would be encoded again per socket.
 */
export type EncodedFrame = Buffer;

/** `ws` send options of a text frame built from a Buffer. */
export const TEXT_FRAME = { binary: false } as const;

export function encodeFrame<E extends keyof ServerEventMap>(event: E, data: ServerEventMap[E]): EncodedFrame {
  return Buffer.from(JSON.stringify({ event, data }));
}

const staticErrors = new Map<string, EncodedFrame>();

/** An `error` frame; frames with a fixed text are encoded once per process. */
export function errorFrame(code: FrameErrorCode, message: string): EncodedFrame {
  const key = `${code}\u0000${message}`;
  let frame = staticErrors.get(key);
  if (!frame) {
    frame = encodeFrame(ServerEvent.Error, { code, message });
    // Only a bounded set of texts is cached (validation texts come from a fixed list of rules).
    if (staticErrors.size < 256) staticErrors.set(key, frame);
  }
  return frame;
}
