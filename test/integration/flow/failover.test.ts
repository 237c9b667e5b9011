import { eventually } from '../../support/eventually';
import { chattersPerTest } from '../../support/sdk-chatter';
import { PRODUCT_MODES, productInMode } from '../support/product-modes';

describe.each(PRODUCT_MODES)('a session server killed with SIGKILL, $name', (mode) => {
  const running = productInMode(mode, { SESSION_MIN: '2', HEARTBEAT_TTL_MS: '2000' });
  const joinRoom = chattersPerTest();
  const join = async (name: string, roomId: string, token: string) => (await joinRoom(name, running.product.url, token, roomId)).chatter;

  it('moves the room to a live server; clients resume there with every acknowledged message, seq intact', async () => {
    const ada = await running.product.login('Ada');
    const bob = await running.product.login('Bob');
    const roomId = await running.product.createRoom(ada.token);
    const a = await join('a', roomId, ada.token);
    const b = await join('b', roomId, bob.token);
    for (let i = 1; i <= 10; i++) await a.say(`before ${i}`);
    await eventually(() => b.lastSeq === 10, 5000, 'bob to see 10 messages');

    const doomed = a.servers[0];
    const pid = await running.product.sessionServerPid(doomed);
    process.kill(pid, 'SIGKILL');
    await eventually(() => !a.connected && !b.connected, 5000, 'both to notice the loss');

    // Both go back to the backend; the room is served again, by a live server, within 10 s.
    const killedAt = Date.now();
    await eventually(() => a.connected && b.connected, 10_000, 'both to be live again');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(a.servers.at(-1)).not.toBe(doomed);
    expect(b.servers.at(-1)).toBe(a.servers.at(-1));

    for (let i = 1; i <= 5; i++) await b.say(`after ${i}`);
    await eventually(() => a.lastSeq === 15, 5000, 'ada to see 15 messages');
    expect([...a.messages.keys()]).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect([...b.messages.values()].map((m) => m.id)).toEqual([...Array.from({ length: 10 }, (_, i) => `a-${i + 1}`), 'b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    expect([...a.violations, ...b.violations]).toEqual([]);

    // A newcomer on the new server gets the whole history from the store.
    const cy = await join('c', roomId, (await running.product.login('Cy')).token);
    expect(cy.room.messages.map((m) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));

    // The local provisioner replaced the dead process.
    await eventually(async () => (await running.product.cluster(ada.token)).servers.filter((x) => x.alive).length >= 2, 10_000, 'a replacement server');
  });
});
