import { SdkChatter } from '../support/sdk-chatter';
import { eventually } from '../support/eventually';
import { ChaosCluster, Workload } from './support/chaos-cluster';

/**
 * Fault injection in the start:cluster topology (Redis with AOF, two backends, three session
 * servers), each scenario on a fresh cluster with 6 rooms × 3 clients behaving as the contract
 * says, and the checker over the whole history after it: seqs 1..n, every acked message exactly once
 * at its acked seq, nothing nobody sent, every client's view gapless and never stale. Each scenario
 * logs its figures (served again after the fault, switch-over p99).
 */

const TTL_MS = 2000;
const ROOMS = 6;
const PER_ROOM = 3;
const figures: Record<string, unknown> = {};

describe('chaos: faults in the cluster topology', () => {
  let cluster: ChaosCluster;
  let work: Workload;

  beforeEach(async () => {
    cluster = await ChaosCluster.start({ heartbeatTtlMs: TTL_MS, heartbeatIntervalMs: 250 });
    work = await cluster.workload(ROOMS, PER_ROOM);
  }, 60_000);

  afterEach(async () => {
    await work?.close();
    await cluster?.stop();
  });

  afterAll(() => {
    console.log(`chaos figures: ${JSON.stringify(figures, null, 1)}`);
  });

  /** The session server holding the most clients. */
  function busiest(): string {
    const counts = new Map<string, number>();
    for (const c of work.clients) counts.set(c.servers.at(-1)!, (counts.get(c.servers.at(-1)!) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0][0];
  }

  async function finish(name: string, extra: Record<string, unknown>): Promise<void> {
    await work.quiet();
    const settleMs = await work.settled();
    const problems = await work.check();
    figures[name] = { ...extra, switchOverP99Ms: work.switchOverP99(), settleMs, acked: work.clients.reduce((n, c) => n + c.acks.size, 0) };
    expect(problems).toEqual([]);
  }

  it('SIGKILL of a busy session server', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const victim = busiest();
    const at = Date.now();
    await cluster.killSession(victim, 'SIGKILL');
    const servedAgainMs = await work.servedAgain(at);
    await finish('sigkill-session', { victim, servedAgainMs });
  }, 90_000);

  it('SIGSTOP of a busy session server for 3 TTLs while its rooms get new owners, then SIGCONT: it never acks after that', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const victim = busiest();
    const rooms = work.roomIds.filter((roomId) => work.clients.some((c) => c.roomId === roomId && c.servers.at(-1) === victim));
    const at = Date.now();
    cluster.signalSession(victim, 'SIGSTOP');
    // Its clients keep sending into its socket buffers. Once it is dead, a new member of each of its
    // rooms comes: the room is placed on a live server (new epoch), which loads it.
    await eventually(async () => (await cluster.cluster()).servers.some((s) => s.id === victim && !s.alive), 15_000, `${victim} dead`);
    const joiners = await Promise.all(
      rooms.map(async (roomId, i) => {
        const token = (await cluster.call<{ token: string }>('POST', '/api/login', undefined, { name: `joiner${i}` })).body.token;
        const joiner = new SdkChatter(`joiner${i}`, cluster.backendUrls, token, roomId);
        await joiner.connect();
        return joiner;
      }),
    );
    expect(joiners.every((j) => j.servers[0] !== victim)).toBe(true);
    work.clients.push(...joiners);
    await new Promise((r) => setTimeout(r, Math.max(0, at + 3 * TTL_MS - Date.now())));
    cluster.signalSession(victim, 'SIGCONT');
    const servedAgainMs = await work.servedAgain(at);
    await finish('sigstop-busy', { victim, rooms: rooms.length, frozenMs: 3 * TTL_MS, servedAgainMs });
    // Its old clients were moved off it: refused writes or the heartbeat reply closed them with 4404.
    expect(work.clients.filter((c) => c.servers.includes(victim)).every((c) => c.servers.at(-1) !== victim)).toBe(true);
  }, 90_000);

  it('SIGSTOP of an owner of idle rooms: a message into the frozen owner, readers move, SIGCONT (the zombie case)', async () => {
    const victim = busiest();
    const rooms = work.roomIds.filter((roomId) => work.clients.some((c) => c.roomId === roomId && c.servers.at(-1) === victim));
    cluster.signalSession(victim, 'SIGSTOP');
    const writers = rooms.map((roomId) => work.clients.find((c) => c.roomId === roomId && c.servers.at(-1) === victim)!);
    for (const w of writers) w.send('into the frozen owner');
    await eventually(async () => (await cluster.cluster()).servers.some((s) => s.id === victim && !s.alive), 15_000, `${victim} dead`);
    // A new reader of each of its rooms: the room is placed on a live server and loaded there.
    const readers = await Promise.all(
      rooms.map(async (roomId, i) => {
        const token = (await cluster.call<{ token: string }>('POST', '/api/login', undefined, { name: `reader${i}` })).body.token;
        const reader = new SdkChatter(`reader${i}`, cluster.backendUrls, token, roomId);
        await reader.connect();
        return reader;
      }),
    );
    expect(readers.every((r) => r.servers[0] !== victim)).toBe(true);
    const at = Date.now();
    cluster.signalSession(victim, 'SIGCONT');
    work.clients.push(...readers);
    await work.settled();
    await finish('sigstop-idle-zombie', { victim, rooms: rooms.length, servedAgainMs: Date.now() - at });
  }, 90_000);

  it('drain by an operator and SIGTERM: rooms placed first, members moved, nothing lost', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const drained = busiest();
    const res = await cluster.call<{ movedRooms: string[] }>('POST', `/api/admin/servers/${drained}/drain`, cluster.adminToken);
    expect(res.status).toBe(202);
    await eventually(() => work.clients.every((c) => c.connected && c.servers.at(-1) !== drained), 20_000, `every client off ${drained}`);
    const p99AfterDrain = work.switchOverP99();
    const stopped = busiest();
    await cluster.killSession(stopped, 'SIGTERM');
    await eventually(() => work.clients.every((c) => c.connected && c.servers.at(-1) !== stopped), 20_000, `every client off ${stopped}`);
    await finish('drain-and-sigterm', { drained, stopped, p99AfterDrain, allAnnounced: work.clients.every((c) => c.switches.every((s) => s.moved)) });
    expect(work.clients.flatMap((c) => c.switches).every((s) => s.moved && s.closeCode === 1012)).toBe(true);
    // The switch-over p99 is reported by finish(), not asserted: 40-300 ms on a quiet machine, up to
    // ~700 ms with the load average at 9 on 2 cores; timing belongs to the bench, not to pass/fail.
  }, 90_000);

  it('operator move of every room of a server, one by one, under traffic', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 500));
    for (const roomId of work.roomIds) {
      const res = await cluster.call<{ serverId: string }>('POST', `/api/admin/rooms/${roomId}/move`, cluster.adminToken, {});
      expect(res.status).toBe(202);
      await eventually(
        () => work.clients.filter((c) => c.roomId === roomId).every((c) => c.connected && c.servers.at(-1) === res.body.serverId),
        20_000,
        `room ${roomId} moved`,
      );
    }
    await finish('operator-moves', { moves: work.roomIds.length });
    // The switch-over p99 is reported by finish(), not asserted: 40-300 ms on a quiet machine, up to
    // ~700 ms with the load average at 9 on 2 cores; timing belongs to the bench, not to pass/fail.
  }, 90_000);

  it('SIGKILL of a backend replica: session servers fail over their heartbeats, no room changes server', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 500));
    const owners = new Map(work.clients.map((c) => [c.name, c.servers.at(-1)]));
    await cluster.killBackend('backend-1');
    // Several TTLs without the first backend: no session server looks dead.
    await new Promise((r) => setTimeout(r, 3 * TTL_MS));
    const view = await cluster.cluster();
    expect(
      view.servers
        .filter((s) => s.alive)
        .map((s) => s.id)
        .sort(),
    ).toEqual(['s1', 's2', 's3']);
    expect(work.clients.filter((c) => c.servers.at(-1) !== owners.get(c.name))).toEqual([]);
    await finish('sigkill-backend', { switches: work.clients.reduce((n, c) => n + c.switches.length, 0) });
  }, 90_000);

  it('Redis restart with AOF under traffic', async () => {
    work.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const at = Date.now();
    await cluster.redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.redis.start();
    const servedAgainMs = await work.servedAgain(at, 45_000);
    await finish('redis-restart-aof', { downMs: 1000, servedAgainMs });
  }, 120_000);
});
