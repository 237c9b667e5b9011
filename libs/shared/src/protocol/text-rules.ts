import { DEFAULT_LIMITS } from './limits';

/**
 * Text rules of the protocol, shared by the servers (authoritative) and the web client (early feedback).
 * Lengths count Unicode code points; "control characters" are Unicode category Cc.
 */

// Category Cc is exactly U+0000–U+001F and U+007F–U+009F.
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LF_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

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
  if (CONTROL.test(trimmed)) return 'name must not contain control characters';
  return null;
}

/** Why a room name is refused, or null. */
export function roomNameProblem(name: unknown, max: number = DEFAULT_LIMITS.maxRoomNameLength): string | null {
  if (typeof name !== 'string') return 'name must be a string';
  if (codePointLength(name.trim()) > max) return `name must be at most ${max} characters`;
  if (CONTROL.test(name)) return 'name must not contain control characters';
  return null;
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
  return null;
}
