import { checkMessageText, clientMsgIdProblem, displayNameProblem, emojiProblem, roomNameProblem } from './text-rules';

describe('displayNameProblem', () => {
  it('accepts ordinary names, with accents, scripts and emoji', () => {
    for (const name of ['Ada', '  Ada Lovelace ', 'Zoë', 'مريم', '李雷', 'Ada 🚀', 'é', '😀']) expect(displayNameProblem(name)).toBeNull();
  });

  it.each([
    ['\u202eevil', 'bidirectional'],
    ['Ada\u202a', 'bidirectional'],
    ['\u2066Ada\u2069', 'bidirectional'],
    ['Alice\u200b', 'zero-width'],
    ['Al\u200cice', 'zero-width'],
    ['Al\u200dice', 'zero-width'],
    ['Ali\u2060ce', 'zero-width'],
    ['Ali\ufeffce', 'zero-width'],
  ])('refuses %j (bidi control or zero-width character)', (name) => {
    expect(displayNameProblem(name)).toBe('name must not contain bidirectional control or zero-width characters');
  });

  it.each(['\u3164', '\u2800\u2800', '\u0301', '\u115f\u1160', '\u{e000}'])('refuses %j: nothing visible', (name) => {
    expect(displayNameProblem(name)).toBe('name must contain at least one visible character');
  });

  it('keeps the earlier rules', () => {
    expect(displayNameProblem('   ')).toBe('name must not be empty');
    expect(displayNameProblem('a'.repeat(33))).toBe('name must be at most 32 characters');
    expect(displayNameProblem('a\u0007b')).toBe('name must not contain control characters');
    expect(displayNameProblem(3)).toBe('name must be a string');
  });
});

describe('roomNameProblem', () => {
  it('accepts no name (empty after trimming) and ordinary names', () => {
    expect(roomNameProblem('')).toBeNull();
    expect(roomNameProblem('   ')).toBeNull();
    expect(roomNameProblem('Design review')).toBeNull();
  });

  it('refuses bidi controls, zero-width characters and names with nothing visible', () => {
    expect(roomNameProblem('Design\u200breview')).toMatch(/zero-width/);
    expect(roomNameProblem('\u202ereview')).toMatch(/bidirectional/);
    expect(roomNameProblem('\u3164\u3164')).toBe('name must contain at least one visible character');
    expect(roomNameProblem('a'.repeat(65))).toBe('name must be at most 64 characters');
  });
});

describe('well-formed UTF-16 in every text', () => {
  // What JSON.parse makes of "\ud800": a string UTF-8 cannot encode (stores and sockets turn it into U+FFFD).
  const lone = ['\ud800', 'a\udfff', '\ude00x', 'x\ud83d', '\udc00\ud800'];

  it.each(lone)('refuses %j in every field, naming the field', (bad) => {
    expect(displayNameProblem(`Ada${bad}`)).toBe('name must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)');
    expect(roomNameProblem(`Room ${bad}`)).toBe('name must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)');
    expect(checkMessageText(`hello ${bad}`)).toEqual({
      ok: false,
      tooLong: false,
      reason: 'text must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)',
    });
    expect(clientMsgIdProblem(`id-${bad}`)).toBe('clientMsgId must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)');
    expect(emojiProblem(bad)).toBe('emoji must be well-formed Unicode: it holds a lone surrogate (half of a UTF-16 pair)');
  });

  it('accepts surrogate pairs (emoji and characters beyond the BMP)', () => {
    expect(displayNameProblem('Ada 😀')).toBeNull();
    expect(roomNameProblem('𝔇esign')).toBeNull();
    expect(checkMessageText('🚀 lift-off 𠀋')).toEqual({ ok: true });
    expect(clientMsgIdProblem('id-😀')).toBeNull();
    expect(emojiProblem('👍🏽')).toBeNull();
  });

  it('keeps the length rule first: an over-long text with a lone surrogate is too_long', () => {
    expect(checkMessageText(`${'a'.repeat(4000)}\ud800`)).toMatchObject({ ok: false, tooLong: true });
  });
});
