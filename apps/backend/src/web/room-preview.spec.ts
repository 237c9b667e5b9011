import { withRoomPreview } from './room-preview';

const INDEX = '<!doctype html>\n<html>\n  <head>\n    <title>Rooms</title>\n  </head>\n  <body><app-root></app-root></body>\n</html>';

describe('withRoomPreview', () => {
  it('puts the room name in the title and the Open Graph tags, inside the head', () => {
    const html = withRoomPreview(INDEX, 'Friday standup');
    expect(html).toContain('<title>Friday standup · Rooms</title>');
    expect(html).toContain('<meta property="og:title" content="Friday standup" />');
    expect(html).toContain('<meta property="og:description" content="Join “Friday standup” on Rooms" />');
    expect(html.indexOf('og:title')).toBeLessThan(html.indexOf('</head>'));
    expect(html).toContain('<body><app-root></app-root></body>');
  });

  it('escapes a name that tries to end the title or an attribute', () => {
    const html = withRoomPreview(INDEX, `</title><script>alert("x")</script>' & "`);
    expect(html).not.toContain('<script>');
    expect(html).toContain('<title>&#60;/title&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39; &#38; &#34; · Rooms</title>');
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html).toContain('content="&#60;/title&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39; &#38; &#34;"');
  });

  it('keeps replacement patterns in a name as text', () => {
    expect(withRoomPreview(INDEX, "$& $' $`")).toContain('<title>$&#38; $&#39; $` · Rooms</title>');
  });

  it('adds a title to an index that has none', () => {
    expect(withRoomPreview('<html><head></head><body></body></html>', 'Lab')).toMatch(
      /<head>\s*<title>Lab · Rooms<\/title>\s*<meta property="og:title" content="Lab" \/>/,
    );
  });
});
