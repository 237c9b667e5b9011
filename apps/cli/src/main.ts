import { ApiError, RoomsClient, parseRoomRef } from '@app/client';
import { parseArgs } from 'node:util';
import { runChat } from './chat-command';
import { ConfigStore } from './config-store';
import { runTail } from './tail-command';

const USAGE = `rooms: a terminal client for stateful-rooms

usage:
  rooms login <name>              log in as a guest; the token is kept in the config dir
  rooms create [name]             create a room; prints its id and share link
  rooms chat <roomId | link>      chat (history, live messages, who joins and leaves; /help inside)
  rooms tail <roomId | link>      print the room's messages as JSON lines, for scripts

options:
  --server <url>   the backend (default: $ROOMS_SERVER or http://127.0.0.1:8080)
  -h, --help       this text

The login is kept in $XDG_CONFIG_HOME/rooms/config.json (default ~/.config/rooms/config.json).
Exit codes: 0 ok, 1 error, 2 room not found, 3 room full, 4 not logged in or login expired, 64 usage.`;

const DEFAULT_SERVER = 'http://127.0.0.1:8080';

class UsageError extends Error {}

/** Runs one `rooms` command; resolves with the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: positionalsAfterOptions(argv),
      allowPositionals: true,
      options: { server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 64;
  }
  const [command, ...args] = parsed.positionals;
  if (parsed.values.help || !command || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command || parsed.values.help ? 0 : 64;
  }
  const server = (parsed.values.server ?? env.ROOMS_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
  const store = new ConfigStore();
  try {
    switch (command) {
      case 'login':
        return await login(server, store, args);
      case 'create':
        return await create(server, store, args);
      case 'chat':
      case 'tail':
        return await joinRoom(command, server, store, args);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`rooms: ${err.message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof ApiError) {
      if (err.status === 401) {
        process.stderr.write('rooms: not logged in, or the login expired: run `rooms login <name>`\n');
        return 4;
      }
      process.stderr.write(
        `rooms: ${err.status === 0 ? `cannot reach ${server}: ${err.serverMessage ?? err.message}` : `${err.serverMessage ?? err.message} (HTTP ${err.status})`}\n`,
      );
      return 1;
    }
    process.stderr.write(`rooms: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function login(server: string, store: ConfigStore, args: string[]): Promise<number> {
  const name = args.join(' ').trim();
  if (!name) throw new UsageError('login needs a name');
  const client = new RoomsClient({ baseUrl: server });
  // Logging in again under the same name keeps the user id while the old token is still valid.
  const previous = store.login(server);
  const res = await client.login(name, previous?.user.name === name ? { previousToken: previous.token } : {});
  store.saveLogin(server, { token: res.token, user: res.user, savedAt: Date.now() });
  process.stdout.write(`logged in as ${res.user.name} (${res.user.id}) on ${server}\n`);
  return 0;
}

function loggedInClient(server: string, store: ConfigStore): RoomsClient {
  const saved = store.login(server);
  if (!saved) throw new ApiError('-', '-', 401, null);
  return new RoomsClient({ baseUrl: server, token: saved.token });
}

async function create(server: string, store: ConfigStore, args: string[]): Promise<number> {
  const client = loggedInClient(server, store);
  const name = args.join(' ').trim();
  const { roomId } = await client.createRoom(name || undefined);
  process.stdout.write(`room: ${roomId}\nlink: ${server}/rooms/${roomId}\n`);
  return 0;
}

async function joinRoom(command: 'chat' | 'tail', server: string, store: ConfigStore, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError(`${command} needs one room id or share link`);
  const roomId = parseRoomRef(args[0]);
  if (!roomId) throw new UsageError(`'${args[0]}' is neither a room id nor a room link`);
  const client = loggedInClient(server, store);
  const room = client.room(roomId);
  if (command === 'chat') return runChat(room, { input: process.stdin, output: process.stdout });
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return runTail(room, process.stdout, process.stderr, stop);
}

/**
 * Only `--server <url>`, `--server=<url>`, `-h` and `--help` are options; every other word is a
 * positional, even one that starts with '-': room ids are URL-safe base64 and may (`rooms tail -bX…`
 * was refused as an unknown option '-b').
 */
export function positionalsAfterOptions(argv: readonly string[]): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--server' && i + 1 < argv.length) options.push(arg, argv[++i]);
    else if (arg === '--server' || arg.startsWith('--server=') || arg === '--help' || arg === '-h') options.push(arg);
    else positionals.push(arg);
  }
  return [...options, '--', ...positionals];
}
