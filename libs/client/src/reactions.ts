import type { MessageV2, ReactionPayload } from '@app/shared';

/** Emoji → user ids, in the order they reacted: the `reactions` of a message as this SDK holds them. */
export type Reactions = Record<string, string[]>;

/**
 * A reactions object with no prototype. Its keys are emoji chosen by people: a plain object would
 * answer `constructor` or `toString` with Object.prototype's members, and `__proto__` would set its
 * prototype instead of adding a key. Without a prototype every key is only data.
 */
export function emptyReactions(): Reactions {
  return Object.create(null) as Reactions;
}

/**
 * A prototype-free copy of `source` (a message's `reactions` from the wire), keeping only entries
 * that are lists of user ids; undefined when none is left, as the contract sends no empty object.
 */
export function ownReactions(source: unknown): Reactions | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const copy = emptyReactions();
  let count = 0;
  for (const [emoji, users] of Object.entries(source)) {
    if (!Array.isArray(users) || users.length === 0) continue;
    copy[emoji] = users.filter((u): u is string => typeof u === 'string');
    count++;
  }
  return count > 0 ? copy : undefined;
}

/** `m` with its reactions held as {@link ownReactions}; the same object when it has none. */
export function withOwnReactions(m: MessageV2): MessageV2 {
  if (m.reactions === undefined) return m;
  const { reactions, ...rest } = m;
  const own = ownReactions(reactions);
  return own ? { ...rest, reactions: own } : rest;
}

/** The reactions after `r` (set or cleared one user's emoji); undefined when none is left. */
export function applyReaction(current: Reactions | undefined, r: ReactionPayload): Reactions | undefined {
  const next = ownReactions(current) ?? emptyReactions();
  const users = (Object.hasOwn(next, r.emoji) ? next[r.emoji] : []).filter((u) => u !== r.userId);
  if (r.on) users.push(r.userId);
  if (users.length > 0) next[r.emoji] = users;
  else delete next[r.emoji];
  return Object.keys(next).length > 0 ? next : undefined;
}
