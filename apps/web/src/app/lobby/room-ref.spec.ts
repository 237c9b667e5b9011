import { parseRoomRef } from './room-ref';

describe('parseRoomRef', () => {
  it('accepts a bare id', () => {
    expect(parseRoomRef('  aB3_x-9Zq1 ')).toBe('aB3_x-9Zq1');
  });

  it('takes the id out of a share link or path', () => {
    expect(parseRoomRef('http://127.0.0.1:8080/rooms/Xy12_ab-CD')).toBe('Xy12_ab-CD');
    expect(parseRoomRef('https://chat.example.com/rooms/Xy12abCD/?utm=1#top')).toBe('Xy12abCD');
    expect(parseRoomRef('/rooms/Xy12abCD')).toBe('Xy12abCD');
  });

  it('refuses what is not a room', () => {
    expect(parseRoomRef('')).toBeNull();
    expect(parseRoomRef('hello world')).toBeNull();
    expect(parseRoomRef('https://example.com/cluster')).toBeNull();
    expect(parseRoomRef('https://example.com/rooms/a b')).toBeNull();
  });
});
