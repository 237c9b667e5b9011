import type { RoomConnection } from '@app/client';
import { describeState } from './message-format';
import { exitCodeOf } from './chat-command';

/**
 * `rooms tail`: every message of the room as one JSON line on stdout (the welcome's history first,
 * then live ones, each seq once, across reconnects), for scripts. Connection notes go to stderr.
 * Runs until the room ends or the process is told to stop.
 */
export async function runTail(room: RoomConnection, out: NodeJS.WritableStream, err: NodeJS.WritableStream, stop: Promise<void>): Promise<number> {
  room.on('message', (m) => out.write(JSON.stringify({ roomId: room.roomId, ...m }) + '\n'));
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
