/** A piece of a message's text: plain, or a web address shown as a link. */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

// http(s) addresses only: a `javascript:` or `data:` text must never become something to click.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
// Punctuation that ends a sentence more often than an address ("see https://x.org/a.").
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** Splits a message into plain text and links, in order; the parts joined give the text back. */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING, '');
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
