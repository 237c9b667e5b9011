import { DEFAULT_LIMITS } from './limits';

/**
 * Text rules of the protocol, shared by the servers (authoritative) and the web client (early feedback).
 * Lengths count Unicode code points; "control characters" are Unicode category Cc. Every text (names,
 * message texts, `clientMsgId`, emoji) must be well-formed UTF-16: no lone surrogate.
 */

// Category Cc is exactly U+0000–U+001F and U+007F–U+009F.
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LF_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */
/**
 * Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates) and
 * zero-width characters (U+200B–U+200D, U+2060 word joiner, U+FEFF): invisible, so "Alice" and
 * "Alice\u200B" would pass for one person, and an override can reverse how a name reads.
 */
const BIDI_OR_ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]/;
/**
 * A character that shows something: not whitespace or a separator, not a control, format, private
 * use or unassigned code point, not a lone combining mark, and not one of the letters that render
 * blank (Hangul fillers, the braille blank).
 */
const VISIBLE = /[^\s\p{Z}\p{C}\p{M}\u115f\u1160\u3164\uffa0\u2800]/u;

/**
 * Why `text` is not well-formed UTF-16, or null: a lone surrogate (JSON can carry one as `"\ud800"`)
 * is no character. UTF-8 cannot encode it, so SQLite, Redis and every socket would store or send
 * U+FFFD instead: a `clientMsgId` would no longer match itself after a reload (the message stored
 * twice), and two names would look alike. Refused at the edge, never repaired silently.
 */
export function malformedTextProblem(field: string, text: string): string | null {
  return text.isWellFormed() ? null : `${field} must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)`;
}

/** Why a name is refused for its characters (after the length rules), or null. */
function nameCharactersProblem(trimmed: string): string | null {
  const malformed = malformedTextProblem('name', trimmed);
  if (malformed) return malformed;
  if (CONTROL.test(trimmed)) return 'name must not contain control characters';
  if (BIDI_OR_ZERO_WIDTH.test(trimmed)) return 'name must not contain bidirectional control or zero-width characters';
  if (!VISIBLE.test(trimmed)) return 'name must contain at least one visible character';
  return null;
}

/** Length in Unicode code points (a surrogate pair counts once). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Why a display name is refused, or null when it is fine. `name` is checked after trimming. */
export function displayNameProblem(name: unknown, max: number = DEFAULT_LIMITS.maxNameLength): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'name must not be empty';
  if (codePointLength(trimmed) > max) return `name must be at most ${max} characters`;
  return nameCharactersProblem(trimmed);
}

/**
 * Why a room name is refused, or null. A name that is empty after trimming is no name (the room has
 * none); any other must follow the display name's character rules.
 */
export function roomNameProblem(name: unknown, max: number = DEFAULT_LIMITS.maxRoomNameLength): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  const trimmed = name.trim();
  if (codePointLength(trimmed) > max) return `name must be at most ${max} characters`;
  if (CONTROL.test(name)) return 'name must not contain control characters';
  return trimmed.length === 0 ? null : nameCharactersProblem(trimmed);
}

/** Outcome of checking a message text: `too_long` is reported apart from other problems. */
export type TextCheck = { ok: true } | { ok: false; tooLong: boolean; reason: string };

/** Checks a `send` text: 1..max code points, not only whitespace, no Cc except line feed and tab. */
export function checkMessageText(text: unknown, max: number = DEFAULT_LIMITS.maxMessageLength): TextCheck {
  if (typeof text !== 'string') return { ok: false, tooLong: false, reason: 'text must be a string' };
  // Cheap bound first: a UTF-16 length ≤ max cannot exceed max code points.
  if (text.length > max && codePointLength(text) > max) {
    return { ok: false, tooLong: true, reason: `text must be at most ${max} characters` };
  }
  const malformed = malformedTextProblem('text', text);
  if (malformed) return { ok: false, tooLong: false, reason: malformed };
  if (text.trim().length === 0) return { ok: false, tooLong: false, reason: 'text must not be empty or only whitespace' };
  if (CONTROL_EXCEPT_LF_TAB.test(text)) {
    return { ok: false, tooLong: false, reason: 'text must not contain control characters other than line feed and tab' };
  }
  return { ok: true };
}

/** Why a `clientMsgId` is refused, or null. */
export function clientMsgIdProblem(id: unknown, max: number = DEFAULT_LIMITS.maxClientMsgIdLength): string | null {
  if (typeof id !== 'string') return 'clientMsgId must be a string';
  if (id.length === 0) return 'clientMsgId must not be empty';
  if (codePointLength(id) > max) return `clientMsgId must be at most ${max} characters`;
  return malformedTextProblem('clientMsgId', id);
}

const WHITESPACE = /[\s\p{Z}]/u;

/** Why `emoji` is not a valid reaction (1–16 code points, no whitespace or control characters), or null. Version 2. */
export function emojiProblem(emoji: unknown, max: number = DEFAULT_LIMITS.maxEmojiLength): string | null {
  if (typeof emoji !== 'string') return 'emoji must be a string';
  const length = codePointLength(emoji);
  if (length < 1 || length > max) return `emoji must be 1 to ${max} characters`;
  const malformed = malformedTextProblem('emoji', emoji);
  if (malformed) return malformed;
  if (CONTROL.test(emoji) || WHITESPACE.test(emoji)) return 'emoji must not contain whitespace or control characters';
  return null;
}
