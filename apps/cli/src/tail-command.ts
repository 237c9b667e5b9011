import type { RoomConnection } from '@app/client';
import { onMessageChanges } from './change-events';
import { describeState } from './message-format';
import { exitCodeOf } from './chat-command';

/**
 * `rooms tail`: every message of the room as one JSON line on stdout (the welcome's history first,
 * then live ones, each seq once, across reconnects), for scripts; and every change to one, once, as
 * a line of its own: `{"event":"edited","seq":3,"text":…}`, `{"event":"deleted","seq":3}`,
 * `{"event":"reaction","seq":3,"emoji":"👍","userId":…,"on":true}`, or `{"event":"changed",…message}`
 * for one found changed after a reconnect. Each line's `event` says which. Connection notes go to stderr.
 * Runs until the room ends or the process is told to stop.
 */
export async function runTail(room: RoomConnection, out: NodeJS.WritableStream, err: NodeJS.WritableStream, stop: Promise<void>): Promise<number> {
  const line = (event: string, data: object) => out.write(JSON.stringify({ event, roomId: room.roomId, ...data }) + '\n');
  room.on('message', (m) => line('message', m));
  onMessageChanges(room, (change) => {
    if (change.kind === 'changed') line('changed', change.message);
    // A reaction line names who reacted (a script has no member list to look the id up in).
    else if (change.kind === 'reaction') line('reaction', { ...change.frame, name: room.members.find((u) => u.id === change.frame.userId)?.name });
    else line(change.kind, change.frame);
  });
  room.on('state', (s) => {
    const line = describeState(s);
    if (line) err.write(line + '\n');
  });
  try {
    await room.connect();
  } catch {
    return exitCodeOf(room);
  }
  const ended = new Promise<void>((resolve) =>
    room.on('state', (s) => {
      if (s.status === 'not_found' || s.status === 'full' || s.status === 'closed') resolve();
    }),
  );
  const why = await Promise.race([stop.then(() => 'stopped' as const), ended.then(() => 'ended' as const)]);
  const code = why === 'stopped' ? 0 : exitCodeOf(room);
  room.close();
  return code;
}
