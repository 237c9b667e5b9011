import { parseRoomRef } from './room-link';

describe('parseRoomRef', () => {
  it.each([
    ['UYkL5nFVITzk24r-', 'UYkL5nFVITzk24r-'],
    ['  UYkL5nFVITzk24r-\n', 'UYkL5nFVITzk24r-'],
    ['http://127.0.0.1:8080/rooms/UYkL5nFVITzk24r-', 'UYkL5nFVITzk24r-'],
    ['https://chat.example/rooms/UYkL5nFVITzk24r-/?x=1#top', 'UYkL5nFVITzk24r-'],
    ['https://chat.example/cluster', null],
    ['not a room', null],
    ['short', null],
    ['https://chat.example/rooms/..%2F..', null],
  ])('%j → %j', (input, expected) => {
    expect(parseRoomRef(input)).toBe(expected);
  });
});
