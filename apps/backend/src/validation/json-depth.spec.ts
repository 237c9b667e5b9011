import { jsonDepth } from './json-depth';

describe('jsonDepth', () => {
  it('counts the deepest nesting of arrays and objects', () => {
    expect(jsonDepth('"x"')).toBe(0);
    expect(jsonDepth('{"name":"Ada"}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
    expect(jsonDepth('['.repeat(2000) + ']'.repeat(2000))).toBe(2000);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"name":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"name":"a\\"[[[[","x":[]}')).toBe(2);
    expect(jsonDepth('{"name":"\\\\","x":[[]]}')).toBe(3);
  });
});
