import { Message } from '@app/shared';
import { eventually } from '../../support/eventually';
import { pidListeningOn } from '../../support/processes';
import { Product } from '../support/product';
import { ModeEnv, PRODUCT_MODES } from '../support/product-modes';
import { WsTestClient } from '../support/ws-client';

/** A client that, like the web app, goes back to the backend and resumes with `since` after a loss. */
class ResumingClient {
  client!: WsTestClient;
  serverId = '';
  lastSeq = 0;
  readonly seen = new Map<number, Message>();
  readonly acked = new Map<string, number>();

  constructor(
    private readonly product: Product,
    private readonly token: string,
    private readonly roomId: string,
  ) {}

  async connect(): Promise<void> {
    const s = await this.product.session(this.token, this.roomId);
    this.serverId = s.serverId;
    const { client, welcome } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}&since=${this.lastSeq}`);
    this.client = client;
    this.take(welcome.messages);
    client.socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event === 'message') this.take([frame.data]);
      if (frame.event === 'ack') this.acked.set(frame.data.clientMsgId, frame.data.seq);
    });
  }

  private take(messages: Message[]): void {
    for (const m of messages) {
      if (this.seen.has(m.seq)) throw new Error(`message ${m.seq} delivered twice`);
      if (m.seq !== this.lastSeq + 1) throw new Error(`gap: got ${m.seq} after ${this.lastSeq}`);
      this.seen.set(m.seq, m);
      this.lastSeq = m.seq;
    }
  }
}

describe.each(PRODUCT_MODES)('a session server killed with SIGKILL, $name', (mode) => {
  let product: Product;
  let modeEnv: ModeEnv;

  beforeAll(async () => {
    product = await Product.start({ ...(modeEnv = await mode.acquire()).env, SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });
  });
  afterAll(async () => {
    await product?.stop();
    await modeEnv?.release();
  });

  it('moves the room to a live server; clients resume there with every acknowledged message, seq intact', async () => {
    const ada = await product.login('Ada');
    const bob = await product.login('Bob');
    const roomId = await product.createRoom(ada.token);
    const a = new ResumingClient(product, ada.token, roomId);
    const b = new ResumingClient(product, bob.token, roomId);
    await a.connect();
    await b.connect();
    for (let i = 1; i <= 10; i++) await a.client.say(`before ${i}`, `a-${i}`);
    await eventually(() => b.lastSeq === 10, 5000, 'bob to see 10 messages');

    const doomed = a.serverId;
    const cluster = await product.adminCluster();
    const port = Number(new URL(cluster.servers.find((s) => s.id === doomed)!.url!).port);
    const pid = pidListeningOn(port);
    expect(pid).toBeDefined();
    expect(pid).not.toBe(product.pid);
    process.kill(pid!, 'SIGKILL');
    await Promise.all([a.client.closed, b.client.closed]);

    // Both go back to the backend; the room is served again, by a live server, within 10 s.
    const killedAt = Date.now();
    await eventually(
      async () => {
        await a.connect();
        return true;
      },
      10_000,
      'ada to reconnect',
    );
    await eventually(
      async () => {
        await b.connect();
        return true;
      },
      10_000,
      'bob to reconnect',
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(a.serverId).not.toBe(doomed);
    expect(b.serverId).toBe(a.serverId);

    for (let i = 1; i <= 5; i++) await b.client.say(`after ${i}`, `b-${i}`);
    await eventually(() => a.lastSeq === 15, 5000, 'ada to see 15 messages');
    expect([...a.seen.keys()]).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect([...b.seen.values()].map((m) => m.id)).toEqual([...Array.from({ length: 10 }, (_, i) => `a-${i + 1}`), 'b-1', 'b-2', 'b-3', 'b-4', 'b-5']);

    // A newcomer on the new server gets the whole history from the store.
    const cy = await product.login('Cy');
    const s = await product.session(cy.token, roomId);
    const { welcome } = await WsTestClient.join(`${s.url}?token=${encodeURIComponent(s.token)}&since=0`);
    expect(welcome.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));

    // The local provisioner replaced the dead process.
    await eventually(async () => (await product.cluster(ada.token)).servers.filter((x) => x.alive).length >= 2, 10_000, 'a replacement server');
    a.client.terminate();
    b.client.terminate();
  });
});
