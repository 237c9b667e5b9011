import { RoomsClient, type ConnectionState, type MessageV2, type RoomConnection } from '@app/client';
import { eventually } from '../../support/eventually';
import { PRODUCT_MODES, productInMode } from '../support/product-modes';

/** One person on the SDK, with everything the checker needs: every `message` event and every state. */
class Chatter {
  readonly client: RoomsClient;
  room!: RoomConnection;
  readonly seen: MessageV2[] = [];
  readonly states: ConnectionState[] = [];
  readonly servers: string[] = [];

  constructor(
    readonly name: string,
    baseUrl: string,
  ) {
    this.client = new RoomsClient({ baseUrl });
    Chatter.all.push(this);
  }

  /** Every chatter of the running test, closed after it even when it fails (their timers would keep Jest alive). */
  static all: Chatter[] = [];

  async join(roomId: string): Promise<void> {
    this.room = this.client.room(roomId);
    this.room.on('message', (m) => this.seen.push(m));
    this.room.on('state', (s) => this.states.push(s));
    this.room.on('welcome', (w) => this.servers.push(w.serverId));
    await this.room.connect();
  }
}

/** Nothing lost, nothing twice: seqs 1..n with no gap and no repeat, and each message id once. */
function checkStream(who: string, messages: readonly MessageV2[]): void {
  const seqs = messages.map((m) => m.seq);
  expect({ who, seqs }).toEqual({ who, seqs: Array.from({ length: seqs.length }, (_, i) => i + 1) });
  const ids = messages.map((m) => m.id);
  expect({ who, duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i) }).toEqual({ who, duplicateIds: [] });
}

describe.each(PRODUCT_MODES)("two SDK clients when the room's session server is SIGKILLed or the room is moved, $name", (mode) => {
  const running = productInMode(mode, { SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });

  afterEach(() => {
    for (const c of Chatter.all.splice(0)) c.room?.close();
  });

  it('both resume on the new owner; every message sent is stored once and seen once by both, in seq order', async () => {
    const ada = new Chatter('Ada', running.product.url);
    const bob = new Chatter('Bob', running.product.url);
    await ada.client.login('Ada');
    await bob.client.login('Bob');
    const { roomId } = await ada.client.createRoom('failover');
    await ada.join(roomId);
    await bob.join(roomId);

    // A conversation under way: acknowledged turns first.
    const sent: Array<Promise<{ seq: number }>> = [];
    for (let i = 1; i <= 5; i++) {
      await ada.room.send(`ada ${i}`);
      await bob.room.send(`bob ${i}`);
    }
    await eventually(() => ada.seen.length === 10 && bob.seen.length === 10, 5000, 'both to see the first 10');

    // Mid-conversation: messages in flight when the hosting server dies, and more typed while it is down.
    const doomed = ada.room.serverId!;
    const pid = await running.product.sessionServerPid(doomed);
    for (let i = 6; i <= 10; i++) sent.push(ada.room.send(`ada ${i}`), bob.room.send(`bob ${i}`));
    process.kill(pid, 'SIGKILL');
    await eventually(() => ada.room.state.status !== 'live' && bob.room.state.status !== 'live', 5000, 'both to notice the loss');
    for (let i = 11; i <= 15; i++) sent.push(ada.room.send(`ada ${i}`), bob.room.send(`bob ${i}`));

    // Every send resolves with its ack once the room lives again, on a live server.
    const acks = await Promise.all(sent);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(acks.length);
    await eventually(() => ada.room.isLive && bob.room.isLive, 15_000, 'both live again');
    expect(ada.room.serverId).not.toBe(doomed);
    expect(bob.room.serverId).toBe(ada.room.serverId);
    expect(ada.states.some((s) => s.status === 'reconnecting')).toBe(true);

    await eventually(() => ada.seen.length === 30 && bob.seen.length === 30, 10_000, 'both to see all 30');
    checkStream('ada', ada.seen);
    checkStream('bob', bob.seen);
    expect(bob.seen).toEqual(ada.seen);
    expect(ada.room.messages).toEqual(ada.seen);

    // The store holds each text exactly once: a newcomer resuming from 0 gets the same 30.
    const cy = new Chatter('Cy', running.product.url);
    await cy.client.login('Cy');
    await cy.join(roomId);
    const stored = cy.room.messages;
    checkStream('store', stored);
    expect(stored.map((m) => m.text).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => [`ada ${i + 1}`, `bob ${i + 1}`])
        .flat()
        .sort(),
    );
    expect(stored.map((m) => m.seq)).toEqual(ada.seen.map((m) => m.seq));
  });

  it("follows an operator's move at once: `moved`, live on the new server, never `reconnecting`, nothing lost or twice", async () => {
    const ada = new Chatter('Ada', running.product.url);
    const bob = new Chatter('Bob', running.product.url);
    await ada.client.login('Ada');
    await bob.client.login('Bob');
    const { roomId } = await ada.client.createRoom('moving');
    await ada.join(roomId);
    await bob.join(roomId);
    for (let i = 1; i <= 3; i++) await ada.room.send(`before ${i}`);

    // A move needs a live server to go to (the previous test's SIGKILL may still be replaced).
    await eventually(async () => (await running.product.adminCluster()).servers.filter((x) => x.alive && !x.draining).length >= 2, 15_000, 'two live servers');
    const from = ada.room.serverId!;
    const sent = [1, 2, 3].map((i) => bob.room.send(`around the move ${i}`));
    const moved = await running.product.request('POST', `/api/admin/rooms/${roomId}/move`, await running.product.adminToken(), {});
    expect(moved.status).toBe(202);
    await eventually(() => ada.room.isLive && bob.room.isLive && ada.room.serverId !== from && bob.room.serverId !== from, 10_000, 'both live elsewhere');
    await Promise.all(sent);
    await ada.room.send('after');
    await eventually(() => ada.seen.length === 7 && bob.seen.length === 7, 5000, 'both to see all 7');

    for (const c of [ada, bob]) {
      expect(c.states.map((s) => s.status)).toContain('moved');
      expect(c.states.map((s) => s.status)).not.toContain('reconnecting');
      checkStream(c.name, c.seen);
    }
    expect(bob.seen).toEqual(ada.seen);
  });
});
