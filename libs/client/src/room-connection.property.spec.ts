import fc from 'fast-check';
import type { MessageV2, UserRef } from '@app/shared';
import { AWKWARD_NAMES, awkwardString, frameArbitrary, propertyRuns, unknownEventFrame } from '../../../test/support/asyncapi-arbitraries';
import { FrameContract } from '../../../test/support/frame-contract';
import { RoomConnection } from './room-connection';
import { FakeClock, FakeSessions, FakeTransport, flush } from './testing/fake-transport';

/**
 * Property tests of the SDK against the frames docs/asyncapi.yaml allows a server to send (issue 23:
 * no frame the contract allows can crash a client). Frames are generated from the document's schemas,
 * with `__proto__`, lone surrogates, huge integers, unknown events and unknown fields mixed in.
 */
const contract = new FrameContract();
const serverFrame = frameArbitrary('server→client', contract.doc);
const unknownFrame = unknownEventFrame(contract.doc);

function connection() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const room = new RoomConnection({
    roomId: 'room-1',
    sessions: new FakeSessions(),
    env: { clock, createWebSocket: transport.createWebSocket, random: () => 0.5, randomId: () => 'cid' },
  });
  const problems: unknown[] = [];
  // A listener that reads every field a UI reads: what it gets must be data, not Object.prototype.
  room.on('change', () => {
    for (const m of room.messages) for (const users of Object.values(m.reactions ?? {})) if (!Array.isArray(users)) problems.push(m);
  });
  return { clock, transport, room, problems };
}

describe('RoomConnection, fed generated server frames', () => {
  it('the generator makes frames the document allows (else the properties below prove nothing)', () => {
    fc.assert(
      fc.property(serverFrame, (frame) => {
        expect(contract.problem('server→client', JSON.stringify(frame))).toBeNull();
      }),
      propertyRuns(300),
    );
  });

  it('never throws, whatever the contract lets a server send, in any order, and unknown events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 5, arbitrary: serverFrame }, { weight: 1, arbitrary: unknownFrame }), { minLength: 1, maxLength: 25 }),
        async (frames) => {
          const { clock, transport, room, problems } = connection();
          void room.connect().catch(() => undefined);
          await flush();
          transport.last.open();
          for (const f of frames) {
            expect(() => transport.last.receive(f.event, f.data as object)).not.toThrow();
            clock.advance(500);
            await flush();
          }
          expect(problems).toEqual([]);
          room.close();
        },
      ),
      propertyRuns(150),
    );
  });
});

// ---- a model of the room, and coherent runs of events a server sends after a welcome ----

interface ModelMessage {
  seq: number;
  id: string;
  userId: string;
  name: string;
  text: string;
  ts: number;
  rev: number;
  editedAt?: number;
  deleted?: true;
  reactions: Map<string, string[]>;
}

type Step =
  | { kind: 'message'; id: string; user: UserRef; text: string }
  | { kind: 'react'; pick: number; emoji: string; userId: string; on: boolean }
  | { kind: 'edit'; pick: number; text: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'read'; userId: string; seq: number }
  | { kind: 'joined' | 'left'; user: UserRef }
  | { kind: 'unknown'; event: string; data: unknown };

const userId = fc.oneof(
  fc.constantFrom<string>(...AWKWARD_NAMES, 'u_ann', 'u_bob'),
  awkwardString.filter((s) => s.length > 0),
);
const user: fc.Arbitrary<UserRef> = fc.record({ id: userId, name: awkwardString.filter((s) => s.length > 0) });
const emoji = fc.oneof(
  fc.constantFrom<string>(...AWKWARD_NAMES, '👍', '🎉', '1', '42'),
  awkwardString.filter((s) => s.length > 0),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('message' as const), id: awkwardString.filter((s) => s.length > 0), user, text: awkwardString }),
  fc.record({ kind: fc.constant('react' as const), pick: fc.nat(), emoji, userId, on: fc.boolean() }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), text: awkwardString }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('read' as const), userId, seq: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constantFrom('joined' as const, 'left' as const), user }),
  unknownFrame.map((f) => ({ kind: 'unknown' as const, ...f })),
);

/** What the SDK holds, reduced to plain data (reaction keys sorted: an object orders integer-like keys first). */
function view(messages: readonly (MessageV2 | ModelMessage)[]) {
  return messages.map(({ reactions, ...m }) => ({
    ...m,
    reactions: (reactions instanceof Map ? [...reactions] : Object.entries(reactions ?? {})).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  }));
}

describe('RoomConnection, after a welcome and a run of events a server sends', () => {
  it('holds exactly the messages, reactions, members and read markers the server sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: awkwardString.filter((s) => s.length > 0), user, text: awkwardString }), { maxLength: 5 }),
        fc.array(step, { maxLength: 30 }),
        async (history, steps) => {
          const { transport, room, problems } = connection();
          void room.connect();
          await flush();
          let rev = history.length;
          const model: ModelMessage[] = history.map((h, i) => ({
            seq: i + 1,
            id: h.id,
            userId: h.user.id,
            name: h.user.name,
            text: h.text,
            ts: 1000 + i,
            rev: i + 1,
            reactions: new Map(),
          }));
          const members = new Map<string, UserRef>([['u_me', { id: 'u_me', name: 'Me' }]]);
          const reads = new Map<string, number>();
          const wire = (m: ModelMessage): MessageV2 => {
            const { reactions, ...rest } = m;
            return reactions.size ? { ...rest, reactions: Object.fromEntries(reactions) } : rest;
          };
          transport.last.welcome({ messages: model.map(wire), rev, lastSeq: model.length, reads: [], readSeq: 0, name: null, epoch: 1 });
          const send = (event: string, data: unknown) => transport.last.receive(event, data as object);
          for (const s of steps) {
            const target = model.length ? model[('pick' in s ? s.pick : 0) % model.length] : undefined;
            if (s.kind === 'message') {
              const m: ModelMessage = {
                seq: model.length + 1,
                id: s.id,
                userId: s.user.id,
                name: s.user.name,
                text: s.text,
                ts: 5000,
                rev: ++rev,
                reactions: new Map(),
              };
              model.push(m);
              send('message', wire(m));
            } else if (s.kind === 'react' && target && !target.deleted) {
              // The server sends a reaction only when it changes something.
              const users = target.reactions.get(s.emoji) ?? [];
              if (s.on === users.includes(s.userId)) continue;
              const next = s.on ? [...users, s.userId] : users.filter((u) => u !== s.userId);
              if (next.length) target.reactions.set(s.emoji, next);
              else target.reactions.delete(s.emoji);
              target.rev = ++rev;
              send('reaction', { seq: target.seq, emoji: s.emoji, userId: s.userId, on: s.on, rev });
            } else if (s.kind === 'edit' && target && !target.deleted) {
              Object.assign(target, { text: s.text, editedAt: 7000, rev: ++rev });
              send('edited', { seq: target.seq, text: s.text, editedAt: 7000, rev });
            } else if (s.kind === 'delete' && target) {
              Object.assign(target, { text: '', deleted: true, rev: ++rev });
              target.reactions.clear();
              send('deleted', { seq: target.seq, rev });
            } else if (s.kind === 'read') {
              reads.set(s.userId, Math.max(reads.get(s.userId) ?? 0, s.seq));
              send('read', { userId: s.userId, seq: s.seq });
            } else if (s.kind === 'joined') {
              members.set(s.user.id, s.user);
              send('joined', { user: s.user });
            } else if (s.kind === 'left') {
              members.delete(s.user.id);
              send('left', { user: s.user });
            } else if (s.kind === 'unknown') {
              send(s.event, s.data);
            }
          }
          expect(view(room.messages)).toEqual(view(model));
          expect(room.members).toEqual([...members.values()]);
          expect([...room.reads]).toEqual([...reads]);
          expect(room.rev).toBe(rev);
          expect(room.lastSeq).toBe(model.length);
          expect(problems).toEqual([]);
          room.close();
        },
      ),
      propertyRuns(200),
    );
  });
});
