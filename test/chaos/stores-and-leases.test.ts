import type { LoginResponse, RoomSessionResponse } from '@app/shared';
import { RawFrameClient } from '../integration/support/raw-frame-client';
import { eventually } from '../support/eventually';
import { SdkChatter } from '../support/sdk-chatter';
import { ChaosCluster, type Workload } from './support/chaos-cluster';

/**
 * The pattern's promise outside the tested configuration (issue 23): session servers whose stores
 * are not shared, and a former owner that wakes up after its rooms moved.
 */

const TTL_MS = 2000;

describe('chaos: stores that know who they are, and leases', () => {
  let cluster: ChaosCluster | undefined;
  let work: Workload | undefined;

  afterEach(async () => {
    await work?.close();
    await cluster?.stop();
    work = undefined;
    cluster = undefined;
  });

  async function login(c: ChaosCluster, name: string): Promise<string> {
    return (await c.call<LoginResponse>('POST', '/api/login', undefined, { name })).body.token;
  }

  it('two session servers with a data directory each: a frozen owner’s rooms are never served empty by the other, nothing is lost, no seq is given twice', async () => {
    const c = (cluster = await ChaosCluster.start({ heartbeatTtlMs: TTL_MS, heartbeatIntervalMs: 250, sessions: ['s1', 's2'], ownStores: true }));
    work = await c.workload(4, 2);
    const w = work;
    w.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const servers = w.clients.map((client) => client.servers.at(-1)!);
    const victim = servers.filter((s) => s === 's1').length >= servers.filter((s) => s === 's2').length ? 's1' : 's2';
    const rooms = w.roomIds.filter((roomId) => w.clients.some((client) => client.roomId === roomId && client.servers.at(-1) === victim));
    expect(rooms.length).toBeGreaterThan(0);
    const at = Date.now();
    c.signalSession(victim, 'SIGSTOP');
    await eventually(async () => (await c.cluster()).servers.some((s) => s.id === victim && !s.alive), 15_000, `${victim} dead`);
    // The other server is live and has free slots, but its store does not hold these rooms' history.
    const refusal = await c.call<{ message: string }>('POST', `/api/rooms/${rooms[0]}`, await login(c, 'asker'));
    expect(refusal.status).toBe(503);
    expect(refusal.body.message).toMatch(/keeps its history in room store sqlite:.*no live session server uses that store/);
    // Newcomers to each room keep asking (the SDK retries a 503) until the owner is back.
    const joiners = await Promise.all(rooms.map(async (roomId, i) => new SdkChatter(`joiner${i}`, c.backendUrls, await login(c, `joiner${i}`), roomId)));
    const joined = Promise.all(joiners.map((j) => j.connect()));
    await new Promise((r) => setTimeout(r, Math.max(0, at + 3 * TTL_MS - Date.now())));
    c.signalSession(victim, 'SIGCONT');
    await joined;
    w.clients.push(...joiners);
    expect(joiners.map((j) => j.servers[0])).toEqual(joiners.map(() => victim));
    await w.servedAgain(at);
    await w.quiet();
    await w.settled();
    expect(await w.check()).toEqual([]);
    // No client of those rooms was ever welcomed by the server without their history.
    for (const client of w.clients.filter((x) => rooms.includes(x.roomId))) expect(client.servers.filter((s) => s !== victim)).toEqual([]);
  }, 120_000);

  it('a former owner that wakes up after its room moved sends its members nothing, not even typing or read', async () => {
    const c = (cluster = await ChaosCluster.start({ heartbeatTtlMs: TTL_MS, heartbeatIntervalMs: 250 }));
    const owner = await login(c, 'Owner');
    const roomId = (await c.call<{ roomId: string }>('POST', '/api/rooms', owner, {})).body.roomId;
    const enter = async (name: string) => {
      const session = (await c.call<RoomSessionResponse>('POST', `/api/rooms/${roomId}`, await login(c, name))).body;
      const { client } = await RawFrameClient.join(`${session.url}/?token=${encodeURIComponent(session.token)}`);
      return { client, serverId: session.serverId };
    };
    const alice = await enter('Alice');
    const bob = await enter('Bob');
    expect(bob.serverId).toBe(alice.serverId);
    alice.client.send('send', { text: 'before the freeze', clientMsgId: 'a1' });
    await bob.client.next('message');
    await alice.client.next('ack');
    const frozenFrom = bob.client.received.length;

    c.signalSession(alice.serverId, 'SIGSTOP');
    await eventually(async () => (await c.cluster()).servers.some((s) => s.id === alice.serverId && !s.alive), 15_000, `${alice.serverId} dead`);
    // A newcomer moves the room: it is placed on a live server, which loads it under a newer epoch.
    const carol = await enter('Carol');
    expect(carol.serverId).not.toBe(alice.serverId);
    // Into the frozen owner's socket buffers: read first when it wakes, before any heartbeat of it is answered.
    alice.client.send('typing', {});
    alice.client.send('read', { seq: 1 });
    c.signalSession(alice.serverId, 'SIGCONT');

    // Its next answered heartbeat revokes the room: the sockets are closed with 4404.
    expect((await bob.client.closed).code).toBe(4404);
    expect((await alice.client.closed).code).toBe(4404);
    const afterFreeze = bob.client.received.slice(frozenFrom).map((f) => f.event);
    expect(afterFreeze).toEqual([]);
    carol.client.terminate();
  }, 120_000);
});
