import type { ConnectionState, MessageV2 } from '@app/client';
import type { MessageChange } from './change-events';

function clock(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** One message as a chat line: `[12:04] Ada: hello` (continuation lines indented). */
export function formatMessage(m: MessageV2): string {
  const text = m.deleted ? '(deleted)' : m.text.replace(/\n/g, '\n        ');
  const edited = m.editedAt !== undefined && !m.deleted ? ' (edited)' : '';
  return `[${clock(m.ts)}] ${m.name}: ${text}${edited}`;
}

/** A message's text quoted on one line, cut short: enough to know which message a change is about. */
function quote(text: string | undefined): string {
  if (text === undefined || text === '') return 'a message';
  const line = text.replace(/\s+/g, ' ').trim();
  return `"${line.length > 40 ? line.slice(0, 39) + '…' : line}"`;
}

/**
 * One line per change, said once and plainly: `[12:05] Ada edited "helo" → "hello"`,
 * `[12:05] Ada deleted "oops"`, `[12:05] Bob reacted 👍 to Ada's "hello"` (or "took back 👍 from").
 */
export function formatChange(change: MessageChange, nameOf: (userId: string) => string, now = Date.now()): string {
  const m = change.message;
  switch (change.kind) {
    case 'edited':
      return `[${clock(change.frame.editedAt)}] ${m.name} edited ${quote(change.before)} → ${quote(m.text)}`;
    case 'deleted':
      return `[${clock(now)}] ${m.name} deleted ${quote(change.before)}`;
    case 'reaction': {
      const who = nameOf(change.frame.userId);
      const verb = change.frame.on ? `reacted ${change.frame.emoji} to` : `took back ${change.frame.emoji} from`;
      return `[${clock(now)}] ${who} ${verb} ${m.name}'s ${m.deleted ? 'deleted message' : quote(m.text)}`;
    }
    case 'changed':
      return m.deleted ? `[${clock(m.ts)}] ${m.name} deleted a message (while you were away)` : `${formatMessage(m)} (changed while you were away)`;
  }
}

/** What a person should read about a connection state; null when it is not worth a line. */
export function describeState(s: ConnectionState): string | null {
  switch (s.status) {
    case 'live':
      return `* connected (server ${s.serverId})`;
    case 'moved':
      return '* the room is moving to another server…';
    case 'reconnecting':
      return `* connection lost (${s.reason}); reconnecting, attempt ${s.attempt}${s.delayMs > 0 ? ` in ${(s.delayMs / 1000).toFixed(1)} s` : ''}`;
    case 'not_found':
      return '* this room does not exist or has expired';
    case 'full':
      return '* this room is full';
    case 'closed':
      return s.reason === 'unauthorized' ? '* your login is no longer valid: run `rooms login <name>`' : null;
    default:
      return null;
  }
}
