/**
 * index.html as a shared room link's preview shows it: chat apps that unfurl `/rooms/<id>` read the
 * `<title>` and the Open Graph tags, never run the app, so the room's name must be in the HTML itself.
 * The name is user input: escaped for text and for attribute values alike.
 */
export function withRoomPreview(index: string, roomName: string): string {
  const meta = [
    `<meta property="og:title" content="${escapeHtml(roomName)}" />`,
    `<meta property="og:description" content="${escapeHtml(`Join “${roomName}” on Rooms`)}" />`,
    '<meta property="og:type" content="website" />',
  ].join('\n    ');
  const title = `<title>${escapeHtml(`${roomName} · Rooms`)}</title>`;
  // Replacer functions, not strings: a name holding `$&` or `$'` must not be read as a pattern.
  const titled = /<title>[\s\S]*?<\/title>/i.test(index)
    ? index.replace(/<title>[\s\S]*?<\/title>/i, () => title)
    : index.replace(/<head>/i, (head) => `${head}\n    ${title}`);
  return /<\/head>/i.test(titled) ? titled.replace(/<\/head>/i, (end) => `  ${meta}\n  ${end}`) : titled.replace(title, () => `${title}\n${meta}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
