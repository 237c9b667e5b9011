import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { ClientEvent, ClientEventV2, ClientEventV3, FrameErrorCode, FrameErrorCodeV2 } from '@app/shared';
import { frameArbitrary, propertyRuns, unknownEventFrame } from '../../support/asyncapi-arbitraries';
import { FrameContract } from '../../support/frame-contract';
import { allSocketsInThisFileSendMalformedFrames } from '../../support/frame-exemptions';
import { RawFrameClient } from '../support/raw-frame-client';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';

allSocketsInThisFileSendMalformedFrames();

/**
 * Property test of a running session server (issue 23): client frames generated from the schemas of
 * docs/asyncapi.yaml, valid ones and mutated ones, over a real WebSocket. The server never fails a
 * handler, every frame the document does not allow gets exactly one `error` with a protocol code
 * and a message a person can read, a valid frame gets at most one, and afterwards the server is
 * healthy and still chats. Bounded: a fixed number of runs; fast-check prints seed and path of a failure.
 *
 * After each frame a probe (an unknown event, answered at once with `unknown_event`) marks the end
 * of that frame's answers: the refusals of the gateway are sent before the probe's, in order.
 */
const contract = new FrameContract();
const CODES = new Set<string>([...Object.values(FrameErrorCode), ...Object.values(FrameErrorCodeV2)]);

type Wire = { kind: 'text'; text: string } | { kind: 'binary'; text: string };

const WRONG_VALUES: unknown[] = [null, {}, [], true, 'text', 1.5, -1, 0, '\ud800', '__proto__', 2 ** 60];

/** A frame the document allows for a room of one kind (its `events`), or one broken in a way a client could break it. */
const framesFor = (events: readonly string[]): fc.Arbitrary<Wire> =>
  fc.oneof(
    { weight: 4, arbitrary: frameArbitrary('client→server', contract.doc, events).map((f) => ({ kind: 'text' as const, text: JSON.stringify(f) })) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(frameArbitrary('client→server', contract.doc, events), fc.nat(), fc.constantFrom(...WRONG_VALUES), fc.boolean())
        .map(([f, i, wrong, drop]) => {
          const data = { ...(f.data as Record<string, unknown>) };
          const keys = Object.keys(data);
          if (keys.length === 0) data.unexpected = wrong;
          else if (drop) delete data[keys[i % keys.length]];
          else data[keys[i % keys.length]] = wrong;
          return { kind: 'text' as const, text: JSON.stringify({ event: f.event, data }) };
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(frameArbitrary('client→server', contract.doc, events), fc.constantFrom<unknown>([1, 2], 'data', null, 5, true)).map(([f, data]) => ({
        kind: 'text' as const,
        text: JSON.stringify({ event: f.event, data }),
      })),
    },
    { weight: 1, arbitrary: unknownEventFrame(contract.doc).map((f) => ({ kind: 'text' as const, text: JSON.stringify(f) })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>([], 'send', 42, null, { data: {} }, { event: 7, data: {} })
        .map((v) => ({ kind: 'text' as const, text: JSON.stringify(v) })),
    },
    {
      weight: 1,
      arbitrary: frameArbitrary('client→server', contract.doc, events).chain((f) => {
        const text = JSON.stringify(f);
        return fc.nat({ max: text.length - 1 }).map((cut) => ({ kind: 'text' as const, text: text.slice(0, cut) }));
      }),
    },
    { weight: 1, arbitrary: frameArbitrary('client→server', contract.doc, events).map((f) => ({ kind: 'binary' as const, text: JSON.stringify(f) })) },
  );

/** Chat rooms' frames (a board's are refused there with `unknown_event`, shown in session-board.test.ts). */
const CHAT_EVENTS = [...Object.values(ClientEvent), ...Object.values(ClientEventV2)];
/** A board's frames, and the presence frame every kind takes. */
const BOARD_EVENTS = [...Object.values(ClientEventV3), ClientEvent.Typing];
const clientFrame = framesFor(CHAT_EVENTS);

describe('session server, fed generated client frames', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const handlerFailures: string[] = [];

  beforeAll(async () => {
    env = await createSessionTestEnv();
    // The rate limit is a property of its own (ws-fuzz): here every frame must reach the handlers.
    // MAX_ROOMS: a fresh room per run, shrinking included.
    server = await env.start({ RATE_PER_SECOND: '100000', RATE_BURST: '100000', MAX_MESSAGE_LENGTH: '200', MAX_ROOMS: '100000' });
    // A handler that throws is caught and logged by the adapter: a server bug the client never sees.
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void handlerFailures.push(String(message)));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await env.dispose();
  });

  /**
   * Sends each frame, then a probe (an unknown event whose error marks where the frame's answers end):
   * every error is one of the contract's codes with a readable message, a frame the document refuses
   * gets exactly one, and one it allows at most one.
   */
  async function sendEachChecked(client: RawFrameClient, frames: Array<{ kind: string; text: string }>): Promise<void> {
    for (const [i, frame] of frames.entries()) {
      const before = client.received.length;
      if (frame.kind === 'binary') client.sendRaw(Buffer.from(frame.text), { binary: true });
      else client.sendRaw(frame.text);
      const probe = `probe-${i}`;
      client.send(probe, {});
      while (!((await client.next('error')) as { message: string }).message.includes(probe));
      const errors = client.received
        .slice(before)
        .filter((f) => f.event === 'error' && !(f.data as { message: string }).message.includes('probe-'))
        .map((f) => f.data as { code: string; message: string });
      for (const e of errors) {
        expect(CODES.has(e.code)).toBe(true);
        expect(e.message).toMatch(/^[^\n]{8,200}$/);
      }
      const allowed = frame.kind === 'text' && contract.problem('client→server', frame.text) === null;
      if (allowed) expect(errors.length).toBeLessThanOrEqual(1);
      else expect({ frame: frame.text, errors: errors.length }).toEqual({ frame: frame.text, errors: 1 });
    }
  }

  it('answers every frame the document does not allow with one clear error, never fails, and stays healthy', async () => {
    let run = 0;
    let acked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(clientFrame, { minLength: 1, maxLength: 15 }), async (frames) => {
        run++;
        // A room of its own per run, so that a failure shrinks to frames of that run alone.
        const room = `room-property-${run}`;
        const { client } = await RawFrameClient.join(server.urlFor(server.token({ sub: `u-${run}`, name: 'Prop', room })));
        try {
          // Something to edit, delete and react to (seqs 1 and 2, the fuzzer's own).
          await client.say('one', 'seed-1');
          await client.say('two', 'seed-2');
          await sendEachChecked(client, frames);
          expect(client.isOpen).toBe(true);
          // What the room took is text every store and socket keeps as it is (no lone surrogate that
          // UTF-8 would turn into U+FFFD, so a re-sent clientMsgId is always recognised).
          const malformed = client.received.flatMap((f) => stringsIn(f.data)).filter((text) => !text.isWellFormed());
          expect(malformed).toEqual([]);
          acked += client.all('ack').length - 2;
        } finally {
          client.terminate();
        }
        expect(handlerFailures).toEqual([]);
      }),
      propertyRuns(100),
    );
    // Not vacuous: generated sends were taken too, not only refused.
    expect(acked).toBeGreaterThan(10);

    const health = await fetch(`${server.httpUrl}/health`);
    expect(health.status).toBe(200);
    const { client } = await RawFrameClient.join(server.urlFor(server.token({ sub: 'u-after', name: 'After', room: 'room-after' })));
    expect(await client.say('still chatting', 'after-1')).toBe(1);
    client.terminate();
  });

  it('a board (version 3): answers every frame the document does not allow with one clear error, never fails, and stays healthy', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(framesFor(BOARD_EVENTS), { minLength: 1, maxLength: 15 }), async (frames) => {
        run++;
        const room = `board-property-${run}`;
        const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ sub: `b-${run}`, name: 'Prop', room, kind: 'board' })));
        expect(welcome.kind).toBe('board');
        try {
          await sendEachChecked(client, frames);
          expect(client.isOpen).toBe(true);
        } finally {
          client.terminate();
        }
        expect(handlerFailures).toEqual([]);
      }),
      propertyRuns(30),
    );
  });
});

/** Every string in a JSON value (keys included). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}
