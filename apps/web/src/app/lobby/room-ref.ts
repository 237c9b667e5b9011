/** Room ids are URL-safe: letters, digits, '-' and '_'. */
const ROOM_ID = /^[A-Za-z0-9_-]{4,128}$/;

/**
 * The room id in what the user pasted: a bare id, a share link (`https://host/rooms/<id>`), or a path.
 * Null when it is neither.
 */
export function parseRoomRef(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  if (ROOM_ID.test(text)) return text;
  let path: string;
  try {
    path = new URL(text, 'http://placeholder.invalid').pathname;
  } catch {
    return null;
  }
  const match = /\/rooms\/([^/?#]+)\/?$/.exec(path);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return ROOM_ID.test(id) ? id : null;
}
