import { typingLabel } from './typing-label';

const u = (name: string) => ({ id: name, name });

describe('typingLabel', () => {
  it('names one, two, or a few typists', () => {
    expect(typingLabel([])).toBe('');
    expect(typingLabel([u('Ana')])).toBe('Ana is typing…');
    expect(typingLabel([u('Ana'), u('Bo')])).toBe('Ana and Bo are typing…');
    expect(typingLabel([u('Ana'), u('Bo'), u('Cy')])).toBe('Ana, Bo and 1 other are typing…');
    expect(typingLabel([u('Ana'), u('Bo'), u('Cy'), u('Di')])).toBe('Ana, Bo and 2 others are typing…');
  });
});
