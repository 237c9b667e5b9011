import * as Y from 'yjs';
import { eventually } from '../../support/eventually';
import { PRODUCT_MODES, productInMode } from '../support/product-modes';
import { RawFrameClient } from '../support/raw-frame-client';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * Issue 24's board under a crash: the owning session server is SIGKILLed and the board comes back on
 * another server with every acknowledged change. Raw sockets, as a board client would speak (the SDK
 * has no board connection yet).
 */
describe.each(PRODUCT_MODES)('a board whose session server is killed with SIGKILL, $name', (mode) => {
  const running = productInMode(mode, { SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });
  const clients: RawFrameClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  async function enter(token: string, roomId: string): Promise<{ client: RawFrameClient; welcome: any; serverId: string }> {
    const session = await running.product.session(token, roomId);
    const joined = await RawFrameClient.join(`${session.url}/?token=${encodeURIComponent(session.token)}`);
    clients.push(joined.client);
    return { ...joined, serverId: session.serverId };
  }

  it('comes back on another server with every acknowledged update, and goes on', async () => {
    const ada = await running.product.login('Ada');
    const created = await running.product.request<{ roomId: string; kind: string }>('POST', '/api/rooms', ada.token, { kind: 'board' });
    expect(created.status).toBe(201);
    expect(created.body.kind).toBe('board');
    const roomId = created.body.roomId;
    const first = await enter(ada.token, roomId);
    expect(first.welcome.kind).toBe('board');

    const doc = new Y.Doc();
    const notes = doc.getMap('notes');
    const acked: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const before = Y.encodeStateVector(doc);
      notes.set(`note-${i}`, `text ${i}`);
      first.client.send('update', { update: b64(Y.encodeStateAsUpdate(doc, before)), clientMsgId: `u-${i}` });
      acked.push((await first.client.next('ack')).seq);
    }
    expect(acked).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    const doomed = first.serverId;
    process.kill(await running.product.sessionServerPid(doomed), 'SIGKILL');
    await first.client.closed;

    // Get-or-start places the board on a live server, which rebuilds it from the store.
    const bob = await running.product.login('Bob');
    let again: Awaited<ReturnType<typeof enter>> | undefined;
    await eventually(
      async () => {
        again = await enter(bob.token, roomId).catch(() => undefined);
        return again !== undefined;
      },
      15_000,
      'the board served again',
    );
    expect(again!.serverId).not.toBe(doomed);
    expect(again!.welcome.lastSeq).toBe(20);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Buffer.from(again!.welcome.state as string, 'base64'));
    expect(replica.getMap('notes').toJSON()).toEqual(notes.toJSON());

    // It goes on from seq 21, and a repeated clientMsgId of before the crash is not applied twice.
    const before = Y.encodeStateVector(replica);
    replica.getMap('notes').set('after', 'the crash');
    again!.client.send('update', { update: b64(Y.encodeStateAsUpdate(replica, before)), clientMsgId: 'b-1' });
    expect((await again!.client.next('ack')).seq).toBe(21);
    again!.client.send('update', { update: b64(Y.encodeStateAsUpdate(doc)), clientMsgId: 'u-20' });
    expect((await again!.client.next('ack')).seq).toBe(20);
  });
});
