import { EventEmitter } from 'node:events';
import type { WebSocket, WebSocketServer } from 'ws';
import type { INestApplicationContext } from '@nestjs/common';
import { loadSessionConfig } from '../config/load-session-config';
import type { RejectReason } from '../metrics/session-metrics';
import type { RoomsService } from '../rooms/rooms.service';
import type { Admission, ConnectionAdmission } from './connection-admission';
import { RoomGateway } from './room.gateway';
import { UserRoomQuotas } from './user-room-quotas';
import { RoomWsAdapter } from './room-ws.adapter';

/** A socket as `ws` presents it to the adapter: an EventEmitter with send/close. */
class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: Array<{ event: string; data: any }> = [];
  closedWith: number | null = null;
  send(data: Buffer | string): void {
    this.sent.push(JSON.parse(data.toString()));
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  frame(text: string | Buffer, isBinary = false): void {
    this.emit('message', Buffer.isBuffer(text) ? text : Buffer.from(text), isBinary);
  }
  errors(): string[] {
    return this.sent.filter((f) => f.event === 'error').map((f) => f.data.code);
  }
}

/**
 * The path of a client frame through RoomWsAdapter (rate limit, JSON, envelope, event) and
 * RoomGateway (payload rules from libs/shared), with RoomsService replaced by a recorder.
 */
describe('frames through RoomWsAdapter and RoomGateway', () => {
  let calls: Array<[string, ...unknown[]]>;
  let ws: FakeWs;
  let now: number;
  let rejected: RejectReason[];

  beforeEach(() => {
    calls = [];
    now = 0;
    rejected = [];
    const meter = { frameRejected: (reason: RejectReason) => rejected.push(reason) };
    const rooms = {
      connect: () => undefined,
      disconnect: () => undefined,
      send: (_s: WebSocket, text: string, id: string) => calls.push(['send', text, id]),
      typing: () => calls.push(['typing']),
      history: (_s: WebSocket, before: number, limit: number) => calls.push(['history', before, limit]),
      edit: (_s: WebSocket, seq: number, text: string) => calls.push(['edit', seq, text]),
      delete: (_s: WebSocket, seq: number) => calls.push(['delete', seq]),
      react: (_s: WebSocket, seq: number, emoji: string, on: boolean) => calls.push(['react', seq, emoji, on]),
      read: (_s: WebSocket, seq: number) => calls.push(['read', seq]),
    } as unknown as RoomsService;
    const config = loadSessionConfig({ MAX_MESSAGE_LENGTH: '10' });
    const admitted: Admission = { user: { id: 'u1', name: 'Ada' }, roomId: 'room-1', epoch: 1, roomName: null, kind: 'chat' };
    const quotas = new UserRoomQuotas({ maxSockets: 5, perSecond: 10, burst: 5 }, () => now);
    const gateway = new RoomGateway(rooms, { take: () => admitted } as unknown as ConnectionAdmission, config, meter, quotas);
    const adapter = new RoomWsAdapter(undefined as unknown as INestApplicationContext, {
      gateway,
      maxFrameBytes: 1024,
      rate: { perSecond: 10, burst: 5, floodAfter: 3 },
      now: () => now,
      admit: () => ({ ok: true }),
      meter,
    });
    ws = new FakeWs();
    // As `ws` hands over an upgraded socket: the adapter binds its frames on 'connection'.
    const server = new EventEmitter();
    adapter.bindClientConnect(server as unknown as WebSocketServer, undefined);
    server.emit('connection', ws, {});
  });

  const send = (event: string, data: unknown) => ws.frame(JSON.stringify({ event, data }));

  it('hands valid frames to the rooms, synchronously', () => {
    send('send', { text: 'hi\nthere', clientMsgId: 'c1' });
    send('typing', {});
    send('history', { before: 10 });
    send('history', { before: 10, limit: 100 });
    expect(calls).toEqual([['send', 'hi\nthere', 'c1'], ['typing'], ['history', 10, 50], ['history', 10, 100]]);
    expect(ws.sent).toEqual([]);
  });

  it.each([
    ['{not json', 'bad_json'],
    ['[]', 'bad_frame'],
    ['null', 'bad_frame'],
    ['{"event":1,"data":{}}', 'bad_frame'],
    ['{"event":"send"}', 'bad_frame'],
    ['{"event":"send","data":[]}', 'bad_frame'],
    ['{"event":"dance","data":{}}', 'unknown_event'],
    ['{"event":"__proto__","data":{}}', 'unknown_event'],
  ])('answers %s with %s', (raw, code) => {
    ws.frame(raw);
    expect(ws.errors()).toEqual([code]);
    expect(rejected).toEqual([code]);
    expect(calls).toEqual([]);
  });

  it('refuses binary frames', () => {
    ws.frame(Buffer.from('{"event":"typing","data":{}}'), true);
    expect(ws.errors()).toEqual(['bad_frame']);
    expect(rejected).toEqual(['bad_frame']);
  });

  it('does not count accepted frames as rejected', () => {
    send('send', { text: 'hi', clientMsgId: 'c1' });
    send('typing', {});
    expect(rejected).toEqual([]);
  });

  it.each([
    [{ text: 'x'.repeat(11), clientMsgId: 'c' }, 'too_long'],
    [{ text: '🎉'.repeat(11), clientMsgId: 'c' }, 'too_long'],
    [{ text: '   ', clientMsgId: 'c' }, 'invalid'],
    [{ text: 'a\u0000b', clientMsgId: 'c' }, 'invalid'],
    [{ text: 'a\u0085b', clientMsgId: 'c' }, 'invalid'],
    [{ text: ['a'], clientMsgId: 'c' }, 'invalid'],
    [{ text: 'ok', clientMsgId: '' }, 'invalid'],
    [{ text: 'ok', clientMsgId: 7 }, 'invalid'],
    [{ text: 'ok' }, 'invalid'],
  ])('checks send payload %j: %s', (data, code) => {
    send('send', data);
    expect(ws.errors()).toEqual([code]);
    expect(rejected).toEqual([code]);
    expect(calls).toEqual([]);
  });

  it('accepts text of exactly the limit in code points, with tabs and line feeds', () => {
    send('send', { text: '🎉\t\n'.repeat(3) + 'x', clientMsgId: 'c' });
    send('send', { text: '🎉'.repeat(10), clientMsgId: 'd' });
    expect(calls.map((c) => c[0])).toEqual(['send', 'send']);
  });

  it.each([{}, { before: 0 }, { before: '5' }, { before: 2.5 }, { before: 5, limit: 0 }, { before: 5, limit: 101 }, { before: 5, limit: null }])(
    'checks history payload %j',
    (data) => {
      send('history', data);
      expect(ws.errors()).toEqual(['invalid']);
      expect(calls).toEqual([]);
    },
  );

  it('rate-limits every frame beyond the burst and closes with 4429 after floodAfter in a row', () => {
    for (let i = 0; i < 5; i++) send('typing', {});
    send('typing', {});
    send('typing', {});
    expect(ws.errors()).toEqual(['rate_limited', 'rate_limited']);
    expect(ws.closedWith).toBeNull();
    now += 100; // one frame allowed again: the run of rejections starts over
    send('typing', {});
    send('typing', {});
    send('typing', {});
    expect(ws.closedWith).toBeNull();
    send('typing', {});
    expect(ws.closedWith).toBe(4429);
    expect(calls).toHaveLength(6);
    expect(rejected).toEqual(['rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'flood_closed']);
    // Frames already on the wire after the close are dropped: no answer, not counted again.
    send('typing', {});
    expect(ws.errors()).toHaveLength(4);
    expect(rejected).toHaveLength(5);
  });

  it('counts malformed frames against the rate limit too', () => {
    for (let i = 0; i < 5; i++) ws.frame('garbage');
    ws.frame('garbage');
    expect(ws.errors()).toEqual([...Array(5).fill('bad_json'), 'rate_limited']);
  });

  it('hands valid edit, delete, react and read frames to the rooms (version 2)', () => {
    send('edit', { seq: 3, text: 'fixed' });
    send('delete', { seq: 3 });
    send('react', { seq: 2, emoji: '👍🏽', on: true });
    send('read', { seq: 0 });
    expect(calls).toEqual([
      ['edit', 3, 'fixed'],
      ['delete', 3],
      ['react', 2, '👍🏽', true],
      ['read', 0],
    ]);
    expect(ws.errors()).toEqual([]);
  });

  it('refuses malformed version-2 frames with invalid or too_long, calling nothing', () => {
    const bad: Array<[string, unknown]> = [
      ['edit', { seq: 0, text: 'x' }],
      ['edit', { seq: 1.5, text: 'x' }],
      ['edit', { seq: 1, text: '   ' }],
      ['delete', { seq: '1' }],
      ['react', { seq: 1, emoji: '', on: true }],
      ['react', { seq: 1, emoji: 'a b', on: true }],
      ['react', { seq: 1, emoji: '12345678901234567', on: true }],
      ['react', { seq: 1, emoji: '👍', on: 'yes' }],
      ['read', { seq: -1 }],
    ];
    now = 0;
    for (const [event, data] of bad) {
      now += 1000; // stay inside the rate limit: this is about the payloads
      send(event, data);
    }
    send('edit', { seq: 1, text: 'x'.repeat(11) });
    expect(calls).toEqual([]);
    expect(ws.errors()).toEqual([...bad.map(() => 'invalid'), 'too_long']);
  });

  it('counts version-2 frames in the same frame budget', () => {
    for (let i = 0; i < 5; i++) send('read', { seq: i });
    send('react', { seq: 1, emoji: '👍', on: true });
    expect(calls).toHaveLength(5);
    expect(ws.errors()).toEqual(['rate_limited']);
  });
});
