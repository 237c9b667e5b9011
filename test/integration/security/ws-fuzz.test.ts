import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { FrameErrorCode } from '@app/shared';
import { eventually } from '../../support/eventually';
import { sendsMalformedFrames } from '../../support/frame-exemptions';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';
import { sampleValue, scrape } from '../session/prometheus-text';

/**
 * Thousands of malformed frames from several sockets against an in-process session server.
 *
 * Every frame that stays inside the socket must be answered with one `error` frame carrying a
 * protocol code, and the socket must stay open. Frames that break the WebSocket layer itself close
 * only their own socket, with the code `ws` picks: 1009 for a frame above MAX_FRAME_BYTES (the
 * protocol's code) and 1007 for a text frame that is not UTF-8 (RFC 6455 §8.1: "invalid frame
 * payload data"; `ws` rejects it before the server sees it, and PROTOCOL.md lists no code of its
 * own for it). A flooding socket is closed with 4429. Meanwhile a well-behaved member of the same
 * room keeps chatting, and the server's heap does not keep growing.
 *
 * Frames are generated from a seeded PRNG: a failure prints the seed, `FUZZ_SEED=<n>` replays it.
 */

const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32LE(0));
const FUZZERS = 4;
const WARMUP_FRAMES_PER_FUZZER = 250; // first 1,000 frames
const MEASURED_FRAMES_PER_FUZZER = 550; // the next 2,200
const BATCH = 25;
const OVERSIZE_SOCKETS = 30;
const BAD_UTF8_SOCKETS = 30;
const MAX_FRAME_BYTES = 65536;
const MAX_MESSAGE_LENGTH = 4000;
const PROTOCOL_CODES = new Set<string>(Object.values(FrameErrorCode));
/** What the heap may grow by between the first thousand frames and the end (after a full GC). */
const HEAP_GROWTH_LIMIT = 5 * 1024 * 1024; // seen: ~1.7 MiB (the chat history the test itself keeps); > 7 MiB are sent meanwhile

type Rng = () => number;

/** mulberry32: small, fast, good enough to pick fuzz cases reproducibly. */
function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/** Unicode category Cc minus tab and line feed: refused in message text. */
const CONTROL_CHARS = [...Array.from({ length: 32 }, (_, i) => i).filter((c) => c !== 9 && c !== 10), ...Array.from({ length: 33 }, (_, i) => 0x7f + i)].map(
  (c) => String.fromCharCode(c),
);

function randomString(r: Rng, maxLength: number): string {
  const length = int(r, 0, maxLength);
  let s = '';
  for (let i = 0; i < length; i++) {
    const kind = r();
    if (kind < 0.6) s += String.fromCharCode(int(r, 0x20, 0x7e));
    else if (kind < 0.75) s += pick(r, CONTROL_CHARS);
    else if (kind < 0.85) s += pick(r, ['é', '漢', '🎉', '\u200b', '\ufeff', '\u2028', '"', '\\']);
    else if (kind < 0.9)
      s += pick(r, ['\ud800', '\udfff']); // lone surrogates: escaped by JSON.stringify
    else s += String.fromCharCode(int(r, 0, 0xffff));
  }
  return s;
}

const HUGE_NUMBERS = ['1e309', '-1e309', '1e400', '9007199254740993', '123456789012345678901234567890', '-0', '1.5e-400', '0.1'];
/** Any JSON value that is not what a field wants, `__proto__` objects included. */
function wrongValue(r: Rng): string {
  return pick(r, [
    () => 'null',
    () => 'true',
    () => 'false',
    () => pick(r, HUGE_NUMBERS),
    () => String(int(r, -1e6, 1e6)),
    () => '[]',
    () => '[1,"a",null]',
    () => '{}',
    () => '{"__proto__":{"admin":true}}',
    () => '{"constructor":{"prototype":{"x":1}}}',
  ])();
}

const validText = (r: Rng) => JSON.stringify(`hi ${int(r, 0, 1e6)}`);
const validId = (r: Rng) => JSON.stringify(`f-${int(r, 0, 1e9)}`);

/** A text the server must refuse (`invalid` or `too_long`), as JSON. */
function badText(r: Rng): string {
  return pick(r, [
    () => wrongValue(r),
    () => '""',
    () => JSON.stringify(' '.repeat(int(r, 1, 50))),
    () => JSON.stringify('\n\t \n'),
    () => JSON.stringify(`${randomString(r, 20)}${pick(r, CONTROL_CHARS)}${randomString(r, 20)}`),
    () => JSON.stringify('x'.repeat(int(r, MAX_MESSAGE_LENGTH + 1, 20_000))),
    () => JSON.stringify('🎉'.repeat(int(r, MAX_MESSAGE_LENGTH + 1, 7000))),
  ])();
}

function badClientMsgId(r: Rng): string {
  return pick(r, [() => wrongValue(r), () => '""', () => JSON.stringify('i'.repeat(int(r, 65, 500)))])();
}

function nested(open: string, close: string, depth: number, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** A frame sent as text that the server must answer with exactly one `error` frame. */
function badTextFrame(r: Rng): string {
  const env = (event: string, data: string) => `{"event":${event},"data":${data}}`;
  return pick<() => string>(r, [
    // bad_json
    () => {
      const full = env('"send"', `{"text":${validText(r)},"clientMsgId":${validId(r)}}`);
      return full.slice(0, int(r, 0, full.length - 1));
    },
    () => `x${randomString(r, 200)}`,
    () => pick(r, ['', ' ', 'NaN', 'undefined', "{'event':'send'}", '{"event":"send","data":{},}', '{"event":"send" "data":{}}']),
    () => env('"send"', `{"text":"a${pick(r, CONTROL_CHARS.slice(0, 30))}b","clientMsgId":"raw"}`), // unescaped control char
    () => nested('[', ']', int(r, 2000, 20_000), '['), // unbalanced, deep
    // bad_frame: not an object envelope
    () => pick(r, ['null', '[]', '[{"event":"send","data":{}}]', '"send"', 'true', '{}', ...HUGE_NUMBERS]),
    () => `{"data":{}}`,
    () => `{"event":"typing"}`,
    () => env(wrongValue(r), '{}'),
    () => env('"send"', pick(r, ['null', '[]', '"text"', '5', 'true', ...HUGE_NUMBERS])),
    () => `{"__proto__":${env('"typing"', '{}')}}`,
    () => nested('[', ']', int(r, 1000, 20_000)),
    () => nested('{"event":"typing","data":', '}', int(r, 100, 2000), 'null'),
    // unknown_event
    () =>
      env(
        JSON.stringify(
          pick(r, [
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            'valueOf',
            'SEND',
            ' send',
            'send ',
            'send\u0000',
            'welcome',
            'message',
            'ack',
            'error',
          ]),
        ),
        '{}',
      ),
    () => {
      const name = randomString(r, pick(r, [40, 40, 40, 20_000]));
      return ['send', 'typing', 'history'].includes(name) ? env('"unknown"', '{}') : env(JSON.stringify(name), '{}');
    },
    () => `{"event":"typing","data":{},"event":"launch"}`, // duplicate key: the last one wins
    // send: every field wrong in turn
    () => env('"send"', `{"text":${badText(r)},"clientMsgId":${validId(r)}}`),
    () => env('"send"', `{"text":${validText(r)},"clientMsgId":${badClientMsgId(r)}}`),
    () => env('"send"', `{"clientMsgId":${validId(r)}}`),
    () => env('"send"', `{"text":${validText(r)}}`),
    () => env('"send"', `{"__proto__":{"text":${validText(r)},"clientMsgId":${validId(r)}}}`),
    () => env('"send"', `{"text":${nested('[', ']', int(r, 100, 20_000))},"clientMsgId":"deep"}`),
    // typing takes no data
    () => env('"typing"', pick(r, ['{"x":1}', '{"__proto__":{}}', '{"__proto__":null}', `{"a":${nested('{"a":', '}', int(r, 10, 5000))}}`])),
    // history: before, then limit
    () => env('"history"', `{"before":${pick(r, ['0', '-1', '1.5', '"5"', 'null', '[]', '{}', 'true', ...HUGE_NUMBERS.filter((n) => n !== '0.1')])}}`),
    () => env('"history"', `{"limit":10}`),
    () => env('"history"', `{"before":5,"limit":${pick(r, ['0', '101', '1.5', '"10"', 'null', '-5', '1e20', '[]', ...HUGE_NUMBERS])}}`),
  ])();
}

function badBinaryFrame(r: Rng): Buffer {
  return r() < 0.5 ? randomBytes(int(r, 0, 2000)) : Buffer.from('{"event":"typing","data":{}}');
}

/** Text frames whose bytes are not UTF-8: overlong, surrogate, truncated, invalid lead bytes. */
function badUtf8Frame(r: Rng): Buffer {
  const bad = pick(r, [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]]);
  return Buffer.concat([Buffer.from('{"event":"send","data":{"text":"'), Buffer.from(bad), Buffer.from('","clientMsgId":"u"}}')]);
}

/** A lean socket for fuzzing: counts what comes back, keeps no frames. */
class FuzzSocket {
  errors = 0;
  readonly codes = new Map<string, number>();
  readonly unexpected: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly socket: WebSocket) {}

  static open(url: string): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      // Its own frames are malformed on purpose; what the server answers is still checked against the document.
      const socket = sendsMalformedFrames(new WebSocket(url, { perMessageDeflate: false }));
      const fuzz = new FuzzSocket(socket);
      socket.on('error', () => undefined); // a write racing the server's close; the close code is what counts
      socket.once('close', (code, reason) => {
        fuzz.closed = { code, reason: reason.toString() };
        reject(new Error(`closed ${code} before welcome`));
      });
      socket.on('message', (raw) => {
        const { event, data } = JSON.parse(raw.toString());
        if (event === 'welcome') return resolve(fuzz);
        if (event === 'error') {
          fuzz.errors++;
          fuzz.codes.set(data.code, (fuzz.codes.get(data.code) ?? 0) + 1);
        } else if (!['joined', 'left', 'message', 'typing'].includes(event)) fuzz.unexpected.push(event);
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe(`session server: WebSocket fuzz (FUZZ_SEED=${SEED})`, () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const room = `room-${randomBytes(8).toString('hex')}`;
  const r = rngFrom(SEED);
  let userSeq = 0;
  const urlFor = (s: TestSessionServer, roomId = room) => {
    const sub = `fuzz-${++userSeq}`;
    return s.urlFor(s.token({ sub, name: sub, room: roomId }));
  };

  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({
      ROOM_STORE: 'memory',
      RATE_PER_SECOND: '1000000',
      RATE_BURST: '1000000',
      MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      MAX_MESSAGE_LENGTH: String(MAX_MESSAGE_LENGTH),
    });
  });

  afterAll(async () => {
    await env.dispose();
  });

  it('answers every malformed frame, closes only with protocol codes, keeps chatting, and does not leak', async () => {
    const { client: chatter } = await RawFrameClient.join(server.urlFor(server.token({ sub: 'chatter', name: 'Chatter', room })));
    const fuzzers = await Promise.all(Array.from({ length: FUZZERS }, () => FuzzSocket.open(urlFor(server))));

    // The well-behaved member: send, then its message and its ack, over and over.
    let rounds = 0;
    let slowestRoundMs = 0;
    const chatOnce = async () => {
      const id = `chat-${++rounds}`;
      const t0 = Date.now();
      chatter.send('send', { text: `round ${rounds}`, clientMsgId: id });
      expect((await chatter.next('message')).id).toBe(id);
      expect(await chatter.next('ack')).toEqual({ clientMsgId: id, seq: rounds });
      slowestRoundMs = Math.max(slowestRoundMs, Date.now() - t0);
    };
    let fuzzing = true;
    const chatting = (async () => {
      while (fuzzing) await chatOnce();
    })();

    let sent = 0;
    let bytes = 0;
    const fuzz = async (socket: FuzzSocket, frames: number) => {
      for (let done = 0; done < frames; done += BATCH) {
        const n = Math.min(BATCH, frames - done);
        const target = socket.errors + n;
        for (let i = 0; i < n; i++) {
          if (r() < 0.08) {
            const frame = badBinaryFrame(r);
            bytes += frame.length;
            socket.socket.send(frame, { binary: true });
          } else {
            const frame = badTextFrame(r);
            expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
            bytes += Buffer.byteLength(frame);
            socket.socket.send(frame);
          }
        }
        sent += n;
        await eventually(() => socket.errors >= target || !socket.isOpen, 10_000, `an error frame for each of ${n} frames (seed ${SEED})`);
        expect({ closed: socket.closed, errors: socket.errors }).toEqual({ closed: null, errors: target });
      }
    };

    /** One socket per frame that the WebSocket layer refuses: it must close with `code`. */
    const closing = async (count: number, frame: () => Buffer, code: number) => {
      for (let i = 0; i < count; i++) {
        const socket = await FuzzSocket.open(urlFor(server));
        socket.socket.send(frame(), { binary: false });
        await eventually(() => socket.closed !== null, 5000, `close after a frame refused by ws (seed ${SEED})`);
        expect(socket.closed!.code).toBe(code);
        expect(socket.errors).toBe(0);
      }
    };

    await Promise.all(fuzzers.map((f) => fuzz(f, WARMUP_FRAMES_PER_FUZZER)));
    const heapAfterFirstThousand = heapAfterGc();
    const bytesBefore = bytes;
    await Promise.all([
      ...fuzzers.map((f) => fuzz(f, MEASURED_FRAMES_PER_FUZZER)),
      closing(OVERSIZE_SOCKETS, () => Buffer.from(`{"event":"send","data":{"text":"${'o'.repeat(int(r, MAX_FRAME_BYTES, 3 * MAX_FRAME_BYTES))}"}}`), 1009),
      closing(BAD_UTF8_SOCKETS, () => badUtf8Frame(r), 1007),
    ]);
    fuzzing = false;
    await chatting;
    const roundsWhileFuzzing = rounds;
    const heapAtEnd = heapAfterGc();

    // Every in-socket frame got exactly one error with a protocol code; nothing else came back.
    const total = FUZZERS * (WARMUP_FRAMES_PER_FUZZER + MEASURED_FRAMES_PER_FUZZER);
    expect(sent).toBe(total);
    expect(total + OVERSIZE_SOCKETS + BAD_UTF8_SOCKETS).toBeGreaterThanOrEqual(3000);
    const codes = new Map<string, number>();
    for (const f of fuzzers) {
      expect(f.isOpen).toBe(true);
      expect(f.unexpected).toEqual([]);
      for (const [code, n] of f.codes) codes.set(code, (codes.get(code) ?? 0) + n);
    }
    for (const code of codes.keys()) expect(PROTOCOL_CODES.has(code)).toBe(true);
    expect(codes.get(FrameErrorCode.RateLimited)).toBeUndefined();
    // The generator reaches every rule a frame can break.
    for (const code of ['bad_json', 'bad_frame', 'unknown_event', 'invalid', 'too_long']) expect(codes.get(code)).toBeGreaterThan(0);

    // The chatter kept going during the fuzzing and still does.
    expect(roundsWhileFuzzing).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 5; i++) await chatOnce();
    expect(chatter.isOpen).toBe(true);

    // The server counted the same.
    const metrics = await scrape(server.httpUrl);
    const rejected = (reason: string) => sampleValue(metrics, 'rooms_session_frames_rejected_total', { reason }) ?? 0;
    for (const [code, n] of codes) expect([code, rejected(code)]).toEqual([code, n]);
    expect(rejected('frame_too_large')).toBe(OVERSIZE_SOCKETS);
    expect(rejected('invalid_utf8')).toBe(BAD_UTF8_SOCKETS);
    expect(rejected('flood_closed')).toBe(0);
    expect(sampleValue(metrics, 'rooms_session_messages_received_total')).toBe(rounds);

    const growth = heapAtEnd - heapAfterFirstThousand;
    process.stdout.write(
      `ws fuzz (seed ${SEED}): ${total} frames in sockets (${((bytes - bytesBefore) / 1048576).toFixed(1)} MiB after the first 1,000), ` +
        `${OVERSIZE_SOCKETS + BAD_UTF8_SOCKETS} closing frames, ${roundsWhileFuzzing} chat rounds meanwhile (slowest ${slowestRoundMs} ms), ` +
        `heap ${(heapAfterFirstThousand / 1048576).toFixed(1)} → ${(heapAtEnd / 1048576).toFixed(1)} MiB; codes ${JSON.stringify(Object.fromEntries(codes))}\n`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT);

    for (const f of fuzzers) f.socket.terminate();
    chatter.terminate();
  });

  it('closes a socket that keeps flooding with 4429 after rate_limited warnings', async () => {
    const strict = await env.start({ ROOM_STORE: 'memory', RATE_PER_SECOND: '1', RATE_BURST: '5', FLOOD_CLOSE_AFTER: '10' });
    const flooder = await FuzzSocket.open(urlFor(strict, `room-${randomBytes(8).toString('hex')}`));
    for (let i = 0; i < 200; i++) flooder.socket.send(`x${i}`);
    await eventually(() => flooder.closed !== null, 5000, 'flooder closed');
    expect(flooder.closed!.code).toBe(4429);
    // At most one token refills while the frames arrive; every frame before the close was answered.
    expect(flooder.codes.get('rate_limited')).toBe(9);
    expect(flooder.codes.get('bad_json')).toBeGreaterThanOrEqual(5);
    expect(flooder.codes.get('bad_json')).toBeLessThanOrEqual(6);
    const metrics = await scrape(strict.httpUrl);
    expect(sampleValue(metrics, 'rooms_session_frames_rejected_total', { reason: 'flood_closed' })).toBe(1);
    expect(sampleValue(metrics, 'rooms_session_frames_rejected_total', { reason: 'rate_limited' })).toBe(9);
  });
});
