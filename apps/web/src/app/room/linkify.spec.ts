import { linkify } from './linkify';

describe('linkify', () => {
  it('makes web addresses links and keeps the rest as text', () => {
    expect(linkify('see https://example.org/a?b=1. Then http://x.io')).toEqual([
      { text: 'see ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: '. Then ' },
      { text: 'http://x.io', href: 'http://x.io' },
    ]);
  });

  it('leaves other schemes and plain text alone', () => {
    expect(linkify('javascript:alert(1) and data:text/html,x')).toEqual([{ text: 'javascript:alert(1) and data:text/html,x' }]);
    expect(linkify('')).toEqual([]);
  });
});
