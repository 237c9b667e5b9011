import { ServerEvent, type Message } from '@app/shared';
import { encodeFrame, encodeMessageFrame, encodeWelcomeFrame, MESSAGE_DATA_START } from './server-frame';

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

describe('encodeWelcomeFrame', () => {
  const data = {
    roomId: 'room-12345678',
    kind: 'chat' as const,
    serverId: 's1',
    you: { id: 'u1', name: 'Zoë "Z"' },
    members: [{ id: 'u1', name: 'Zoë "Z"' }],
    lastSeq: 2,
    limits: { maxMessageLength: 2000, maxMembers: 100, maxFrameBytes: 65536 },
    epoch: 3,
    name: 'Friday "standup"',
    rev: 7,
    readSeq: 1,
    reads: [{ userId: 'u1', seq: 1 }],
    changed: [],
  };
  const messages: Message[] = [
    { seq: 1, id: 'a', userId: 'u1', name: 'Zoë "Z"', text: 'one 🎉', ts: 1 },
    { seq: 2, id: 'b', userId: 'u1', name: 'Zoë "Z"', text: 'two\nlines', ts: 2 },
  ];

  it('is the welcome the generic encoder makes, with the messages spliced in as given', () => {
    const frame = encodeWelcomeFrame(data, Buffer.from(JSON.stringify(messages)));
    expect(JSON.parse(frame.toString('utf8'))).toEqual(JSON.parse(encodeFrame(ServerEvent.Welcome, { ...data, messages }).toString('utf8')));
  });

  it('splices an empty list', () => {
    expect(JSON.parse(encodeWelcomeFrame(data, Buffer.from('[]')).toString('utf8')).data.messages).toEqual([]);
  });
});
