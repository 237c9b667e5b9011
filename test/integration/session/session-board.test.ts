import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { createSessionTestEnv, type SessionTestEnv, type TestSessionServer } from '../support/session-server';
import { RawFrameClient } from '../support/raw-frame-client';

const newRoomId = () => `board-${randomBytes(8).toString('hex')}`;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A browser's copy of a board: edits become updates; what the server sends is applied. */
class Replica {
  readonly doc = new Y.Doc();
  edit(key: string, value: string): string {
    const before = Y.encodeStateVector(this.doc);
    this.doc.getMap('notes').set(key, value);
    return b64(Y.encodeStateAsUpdate(this.doc, before));
  }
  apply(update: string): void {
    Y.applyUpdate(this.doc, Buffer.from(update, 'base64'));
  }
  notes(): unknown {
    return this.doc.getMap('notes').toJSON();
  }
}

describe('session server: a board room (version 3)', () => {
  let env: SessionTestEnv;
  let server: TestSessionServer;
  const clients: RawFrameClient[] = [];

  async function join(room: string, user: { sub: string; name: string }, kind: string | undefined, since?: number) {
    const { client, welcome } = await RawFrameClient.join(server.urlFor(server.token({ ...user, room, kind }), since));
    clients.push(client);
    return { client, welcome };
  }

  beforeAll(async () => {
    env = await createSessionTestEnv();
    server = await env.start({ RESUME_LIMIT: '20' });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await env.dispose();
  });

  it('two editors converge: ack to the sender, update to the others, a late joiner gets the whole state', async () => {
    const room = newRoomId();
    const { client: ann, welcome } = await join(room, { sub: 'u-ann', name: 'Ann' }, 'board');
    expect(welcome).toMatchObject({ roomId: room, kind: 'board', lastSeq: 0, epoch: 1, name: null, members: [{ id: 'u-ann', name: 'Ann' }] });
    expect(typeof welcome.state).toBe('string');
    expect(welcome.messages).toBeUndefined();
    const { client: bob } = await join(room, { sub: 'u-bob', name: 'Bob' }, 'board');
    await ann.next('joined');

    const a = new Replica();
    const b = new Replica();
    const fromAnn = a.edit('n1', 'Ann was here');
    const fromBob = b.edit('n1', 'Bob was here');
    ann.send('update', { update: fromAnn, clientMsgId: 'ann-1' });
    bob.send('update', { update: fromBob, clientMsgId: 'bob-1' });
    const annAck = await ann.next('ack');
    const bobAck = await bob.next('ack');
    expect([annAck.seq, bobAck.seq].sort()).toEqual([1, 2]);
    expect(await bob.next('update')).toEqual({ seq: annAck.seq, update: fromAnn, userId: 'u-ann' });
    expect(await ann.next('update')).toEqual({ seq: bobAck.seq, update: fromBob, userId: 'u-bob' });
    a.apply(fromBob);
    b.apply(fromAnn);
    expect(a.notes()).toEqual(b.notes());

    const { welcome: late } = await join(room, { sub: 'u-cy', name: 'Cy' }, 'board');
    expect(late.lastSeq).toBe(2);
    const c = new Replica();
    c.apply(late.state);
    expect(c.notes()).toEqual(a.notes());

    // Resume by since: the updates after it.
    const { welcome: resumed } = await join(room, { sub: 'u-ann', name: 'Ann' }, 'board', 1);
    expect(resumed.updates.map((u: { seq: number }) => u.seq)).toEqual([2]);
  });

  it('refuses a malformed update with invalid and keeps the board; a repeated clientMsgId is acked once more, not applied twice', async () => {
    const room = newRoomId();
    const { client: ann } = await join(room, { sub: 'u-ann', name: 'Ann' }, 'board');
    const { client: bob } = await join(room, { sub: 'u-bob', name: 'Bob' }, 'board');
    const a = new Replica();
    const first = a.edit('n1', 'kept');
    ann.send('update', { update: first, clientMsgId: 'ann-1' });
    expect(await ann.next('ack')).toEqual({ clientMsgId: 'ann-1', seq: 1 });
    ann.send('update', { update: b64(Buffer.from('definitely not yjs')), clientMsgId: 'ann-2' });
    expect(await ann.next('error')).toMatchObject({ code: 'invalid' });
    ann.send('update', { update: 'not base64!', clientMsgId: 'ann-3' });
    expect(await ann.next('error')).toMatchObject({ code: 'invalid' });
    ann.send('update', { update: first, clientMsgId: 'ann-1' });
    expect(await ann.next('ack')).toEqual({ clientMsgId: 'ann-1', seq: 1 });
    expect(await bob.next('update')).toMatchObject({ seq: 1 });
    const { welcome } = await join(room, { sub: 'u-cy', name: 'Cy' }, 'board');
    expect(welcome.lastSeq).toBe(1);
    const c = new Replica();
    c.apply(welcome.state);
    expect(c.notes()).toEqual({ n1: 'kept' });
    expect(bob.pending('update')).toEqual([]);
  });

  it('passes cursors on to the others only, and refuses chat frames on a board and board frames on a chat', async () => {
    const room = newRoomId();
    const { client: ann } = await join(room, { sub: 'u-ann', name: 'Ann' }, 'board');
    const { client: bob } = await join(room, { sub: 'u-bob', name: 'Bob' }, 'board');
    ann.send('cursor', { x: 10.5, y: -3 });
    expect(await bob.next('cursor')).toEqual({ userId: 'u-ann', x: 10.5, y: -3 });
    for (const [event, data] of [
      ['send', { text: 'hi', clientMsgId: 'c1' }],
      ['edit', { seq: 1, text: 'x' }],
      ['react', { seq: 1, emoji: '👍', on: true }],
      ['history', { before: 1 }],
    ] as const) {
      ann.send(event, data);
      expect(await ann.next('error')).toMatchObject({ code: 'unknown_event' });
    }
    expect(ann.pending('cursor')).toEqual([]);

    // A token without kind (an older backend's) opens a chat room, and its welcome says so.
    const chatRoom = newRoomId();
    const { client: chat, welcome } = await join(chatRoom, { sub: 'u-ann', name: 'Ann' }, undefined);
    expect(welcome).toMatchObject({ kind: 'chat', messages: [] });
    chat.send('update', { update: b64(new Uint8Array([0, 0])), clientMsgId: 'u1' });
    expect(await chat.next('error')).toMatchObject({ code: 'unknown_event' });
    chat.send('cursor', { x: 1, y: 2 });
    expect(await chat.next('error')).toMatchObject({ code: 'unknown_event' });
  });

  it('refuses a token naming a kind this server does not know (401 at the upgrade)', async () => {
    expect(await RawFrameClient.refusal(server.urlFor(server.token({ sub: 'u', name: 'U', room: newRoomId(), kind: 'poll' })))).toBe(401);
  });
});
