import type { Message } from '@app/shared';

/**
 * Merges messages into a list ordered by seq. A seq already present is kept once, so a resumed
 * `welcome`, a `history` page and live `message` events can overlap without showing anything twice.
 */
export function mergeBySeq(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const newest = existing.at(-1)?.seq ?? -Infinity;
  // Fast path for the common case: one or more messages strictly after the newest one, in order.
  if (incoming.every((m, i) => m.seq > (i === 0 ? newest : incoming[i - 1].seq))) {
    return [...existing, ...incoming];
  }
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) if (!bySeq.has(m.seq)) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Puts the current state of messages already shown in their place (a resume's `changed`); others are left out. */
export function replaceBySeq(existing: readonly Message[], current: readonly Message[]): Message[] {
  const bySeq = new Map(current.map((m) => [m.seq, m]));
  return existing.map((m) => bySeq.get(m.seq) ?? m);
}
