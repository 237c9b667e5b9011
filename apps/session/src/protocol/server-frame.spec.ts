import { ServerEvent, type Message } from '@app/shared';
import { encodeFrame, encodeMessageFrame, MESSAGE_DATA_START } from './server-frame';

describe('encodeMessageFrame', () => {
  const message: Message = { seq: 7, id: 'c-✓', userId: 'u1', name: 'Zoë 🐙', text: 'a "quoted"\nline 🎉', ts: 1_700_000_000_123 };

  it('gives the same bytes as the generic encoder', () => {
    expect(encodeMessageFrame(message).equals(encodeFrame(ServerEvent.Message, message))).toBe(true);
  });

  it('holds the message JSON at [MESSAGE_DATA_START, length - 1)', () => {
    const frame = encodeMessageFrame(message);
    expect(frame.subarray(MESSAGE_DATA_START, frame.length - 1).toString('utf8')).toBe(JSON.stringify(message));
  });
});
