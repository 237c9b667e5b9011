import type { RoomConnection } from '@app/client';
import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import { onMessageChanges } from './change-events';
import { describeState, formatChange, formatMessage } from './message-format';

export interface ChatIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** How long `/quit` (or the end of input) waits for unacknowledged lines before giving up. */
const FLUSH_TIMEOUT_MS = 30_000;
/** How long "Bob is typing" stays in the prompt after Bob's last keystroke notice. */
const TYPING_SHOWN_MS = 5000;

const HELP = [
  'commands:',
  '  /history   show older messages',
  '  /who       who is here',
  '  /quit      leave (waits until every line you sent is stored)',
].join('\n');

/**
 * `rooms chat`: an interactive chat on a room connection. Lines typed are sent; lines typed while the
 * connection is down are kept by the SDK and sent (with the same id) once it is back, so a crash of
 * the session server loses none. Ends on `/quit` or the end of input, after every line is stored.
 * Resolves with the exit code.
 */
export async function runChat(room: RoomConnection, io: ChatIo): Promise<number> {
  const tty = Boolean(io.input.isTTY && io.output.isTTY);
  const rl: Interface = createInterface({ input: io.input, output: tty ? io.output : undefined, terminal: tty });
  const print = (line: string) => {
    if (tty) {
      io.output.write('\r\x1b[2K' + line + '\n');
      rl.prompt(true);
    } else io.output.write(line + '\n');
  };
  rl.setPrompt('> ');

  let failures = 0;
  room.on('message', (m) => print(formatMessage(m)));
  const nameOf = (userId: string) => room.members.find((u) => u.id === userId)?.name ?? room.messages.find((m) => m.userId === userId)?.name ?? userId;
  onMessageChanges(room, (change) => print(formatChange(change, nameOf)));
  room.on('joined', ({ user }) => print(`* ${user.name} joined`));
  room.on('left', ({ user }) => print(`* ${user.name} left`));
  // Who is typing lives in the prompt, replaced as it changes: a line each time would fill the
  // scrollback. Piped output (a log, a script) gets no typing at all.
  const typingUntil = new Map<string, { name: string; until: number }>();
  let typingTimer: NodeJS.Timeout | undefined;
  const showTyping = () => {
    const now = Date.now();
    for (const [id, t] of typingUntil) if (t.until <= now) typingUntil.delete(id);
    const names = [...typingUntil.values()].map((t) => t.name);
    rl.setPrompt(names.length ? `(${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing) > ` : '> ');
    rl.prompt(true);
    clearTimeout(typingTimer);
    if (names.length) typingTimer = setTimeout(showTyping, Math.min(...[...typingUntil.values()].map((t) => t.until)) - now).unref();
  };
  room.on('typing', ({ user }) => {
    if (!tty) return;
    typingUntil.set(user.id, { name: user.name, until: Date.now() + TYPING_SHOWN_MS });
    showTyping();
  });
  room.on('message', (m) => {
    if (tty && typingUntil.delete(m.userId)) showTyping();
  });
  room.on('gap', ({ afterSeq, nextSeq }) => print(`* ${nextSeq - afterSeq - 1} older messages not shown: /history`));
  room.on('error', (e) => print(`! ${e.message} (${e.code})`));
  room.on('state', (s) => {
    const line = describeState(s);
    if (line) print(line);
  });

  const sends = new Set<Promise<unknown>>();
  const send = (text: string) => {
    // Before the first welcome, and while the connection is down, the SDK keeps the line and sends it later.
    const p = room.send(text).catch((err: Error) => {
      failures++;
      print(`! not sent: ${err.message}`);
    });
    sends.add(p);
    void p.finally(() => sends.delete(p));
  };

  // Settles on the welcome or on the room's refusal (not found, full, login refused).
  const connected = room.connect().then(
    (welcome) => welcome,
    () => null,
  );
  // Input is listened to from the start: lines piped in arrive before the room answers.
  let ending = false;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const end = async () => {
    if (ending) return;
    ending = true;
    // Input can end before the room answered (`</dev/null`): whether the room exists decides the exit code.
    await Promise.race([connected, new Promise((r) => setTimeout(r, FLUSH_TIMEOUT_MS).unref())]);
    // Every line typed must be stored before we go, even the ones typed during an outage.
    const flushed = Promise.allSettled([...sends]);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), FLUSH_TIMEOUT_MS).unref());
    if ((await Promise.race([flushed, timeout])) === 'timeout') {
      failures += room.pendingSends.length;
      print(`! ${room.pendingSends.length} line(s) could not be delivered`);
    }
    finished();
  };
  rl.on('line', (line) => {
    const text = line.trim();
    if (text === '') return;
    if (text === '/quit' || text === '/exit') return void end();
    if (text === '/help') return print(HELP);
    if (text === '/who') return print(`* here: ${room.members.map((m) => m.name).join(', ')}`);
    if (text === '/history') return showHistory();
    send(line);
    if (tty) rl.prompt();
  });
  const showHistory = () => {
    if (!room.isLive) return print('* not connected right now: try again in a moment');
    if (!room.hasMoreHistory) return print('* no older messages');
    room.history().then(
      (page) => {
        print('--- older messages ---');
        for (const m of page.messages) print(formatMessage(m));
        print(page.hasMore ? '--- /history for more ---' : '--- start of the room ---');
      },
      (err: Error) => print(`! history: ${err.message}`),
    );
  };
  rl.on('close', () => void end());
  // Ctrl-C leaves like /quit (unsent lines still go out); a second one leaves at once.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    void end();
  };
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);
  process.once('SIGTERM', () => void end());
  room.on('state', (s) => {
    if (s.status === 'not_found' || s.status === 'full' || s.status === 'closed') finished();
  });

  void connected.then((welcome) => {
    if (welcome) {
      const roomName = room.name ? ` in "${room.name}"` : '';
      print(`* you are ${welcome.you.name}${roomName}; here: ${room.members.map((m) => m.name).join(', ')}. /help for commands`);
      if (tty) {
        emitKeypressEvents(io.input, rl);
        // Enter sends the line: a typing notice for it would show "is typing" again after the message.
        io.input.on('keypress', (_text: string | undefined, key: { name?: string } | undefined) => {
          if (key?.name !== 'return' && key?.name !== 'enter') room.typing();
        });
        rl.prompt();
      }
    }
  });
  await done;
  const s = room.state.status;
  const code = s === 'live' || s === 'reconnecting' || s === 'moved' || s === 'connecting' ? (failures > 0 ? 1 : 0) : exitCodeOf(room);
  room.close();
  rl.close();
  return code;
}

/** 0 when fine; 2 room not found; 3 room full; 4 login refused; 1 otherwise. */
export function exitCodeOf(room: RoomConnection): number {
  const s = room.state;
  if (s.status === 'not_found') return 2;
  if (s.status === 'full') return 3;
  if (s.status === 'closed' && s.reason === 'unauthorized') return 4;
  return s.status === 'closed' ? 0 : 1;
}
