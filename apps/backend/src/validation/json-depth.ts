/**
 * Deepest nesting of arrays and objects a JSON body may have: no body of this API goes beyond 3, and
 * class-transformer recurses once per level (about 2,000 levels overflowed the stack: a 500).
 */
export const JSON_MAX_DEPTH = 32;

/**
 * Deepest nesting of `[` and `{` in a JSON text, found in one pass without parsing (brackets inside
 * strings do not count). Invalid JSON gets some number; JSON.parse refuses it afterwards.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
