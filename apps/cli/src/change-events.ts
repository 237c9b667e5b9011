import type { MessageV2, RoomConnection } from '@app/client';
import type { DeletedPayload, EditedPayload, ReactionPayload } from '@app/shared';

/** One change to a message, once: what happened live (with its frame), or found changed on a resume. */
export type MessageChange =
  | { kind: 'edited'; frame: EditedPayload; message: MessageV2; before: string | undefined }
  | { kind: 'deleted'; frame: DeletedPayload; message: MessageV2; before: string | undefined }
  | { kind: 'reaction'; frame: ReactionPayload; message: MessageV2 }
  | { kind: 'changed'; message: MessageV2 };

/**
 * The SDK tells a live change twice (the frame, then the message as changed) and a change missed
 * while away once (the message): this calls `handle` once per change, with the text it had before.
 */
export function onMessageChanges(room: RoomConnection, handle: (change: MessageChange) => void): void {
  const texts = new Map<number, string>();
  let frame: { kind: 'edited' | 'deleted' | 'reaction'; data: EditedPayload | DeletedPayload | ReactionPayload } | null = null;
  room.on('message', (m) => texts.set(m.seq, m.text));
  room.on('edited', (data) => (frame = { kind: 'edited', data }));
  room.on('deleted', (data) => (frame = { kind: 'deleted', data }));
  room.on('reaction', (data) => (frame = { kind: 'reaction', data }));
  room.on('messageChanged', (message) => {
    const live = frame?.data.seq === message.seq ? frame : null;
    frame = null;
    const before = texts.get(message.seq);
    texts.set(message.seq, message.text);
    if (!live) return handle({ kind: 'changed', message });
    if (live.kind === 'edited') handle({ kind: 'edited', frame: live.data as EditedPayload, message, before });
    else if (live.kind === 'deleted') handle({ kind: 'deleted', frame: live.data, message, before });
    else handle({ kind: 'reaction', frame: live.data as ReactionPayload, message });
  });
}
