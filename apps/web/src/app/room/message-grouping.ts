import type { Message, MessageV2 } from '@app/shared';
import type { PendingMessage } from './room-connection.service';

/** One line of the conversation: a confirmed message, or one of mine still waiting for the room. */
export interface TimelineEntry {
  /** Stable across pending → confirmed (both keyed by the clientMsgId), so the DOM node is kept. */
  key: string;
  seq: number | null;
  userId: string;
  name: string;
  text: string;
  ts: number;
  pending: boolean;
  /** Version 2: set once edited / deleted; reactions as emoji → user ids, when any. */
  editedAt?: number;
  deleted?: boolean;
  reactions?: Record<string, string[]>;
}

export interface MessageGroup {
  key: string;
  userId: string;
  name: string;
  mine: boolean;
  startedAt: number;
  entries: TimelineEntry[];
}

/** A pause this long starts a new group even for the same author. */
export const GROUP_BREAK_MS = 5 * 60_000;

export function toTimeline(messages: readonly Message[], pending: readonly PendingMessage[], me: { id: string; name: string } | null): TimelineEntry[] {
  const entries: TimelineEntry[] = messages.map((m: MessageV2) => ({
    key: `m:${m.userId}:${m.id}`,
    seq: m.seq,
    userId: m.userId,
    name: m.name,
    text: m.text,
    ts: m.ts,
    pending: false,
    editedAt: m.editedAt,
    deleted: m.deleted,
    reactions: m.reactions,
  }));
  if (me) {
    const shown = new Set(entries.map((e) => e.key));
    for (const p of pending) {
      const key = `m:${me.id}:${p.clientMsgId}`;
      if (!shown.has(key)) entries.push({ key, seq: null, userId: me.id, name: me.name, text: p.text, ts: p.createdAt, pending: true });
    }
  }
  return entries;
}

/** Consecutive entries of one author form a group, unless a long pause separates them. */
export function groupMessages(entries: readonly TimelineEntry[], myId: string | null, breakMs = GROUP_BREAK_MS): MessageGroup[] {
  const groups: MessageGroup[] = [];
  let current: MessageGroup | null = null;
  let previousTs = 0;
  for (const entry of entries) {
    if (!current || current.userId !== entry.userId || entry.ts - previousTs > breakMs) {
      current = { key: entry.key, userId: entry.userId, name: entry.name, mine: entry.userId === myId, startedAt: entry.ts, entries: [] };
      groups.push(current);
    }
    current.entries.push(entry);
    previousTs = entry.ts;
  }
  return groups;
}
