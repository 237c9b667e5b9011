import type { ConnectionState, MessageV2 } from '@app/client';

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
