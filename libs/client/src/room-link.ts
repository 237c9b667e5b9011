/** A room id as the backend issues it: URL-safe characters. */
const ROOM_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * The room id in what a person pasted: a bare id, or a share link such as
 * `https://chat.example/rooms/<id>` (the web app's room URL). Null when neither.
 */
export function parseRoomRef(input: string): string | null {
  const text = input.trim();
  if (ROOM_ID.test(text)) return text;
  let path: string;
  try {
    path = new URL(text).pathname;
  } catch {
    return null;
  }
  const match = /\/rooms\/([^/?#]+)\/?$/.exec(path);
  if (!match) return null;
  const id = decodeURIComponent(match[1]);
  return ROOM_ID.test(id) ? id : null;
}
