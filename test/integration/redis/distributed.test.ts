import type { ClusterView, CreateRoomResponse, LoginResponse, RoomSessionResponse } from '@app/shared';
import { eventually } from '../../support/eventually';
import { RedisServerHandle, startRedisServer } from '../../support/redis-server';
import { callApi as call } from '../../support/room-api';
import { ServerProcess } from '../../support/server-process';
import { clusterEnv, freeBackendPorts, startBackend, startSession, type BackendPorts } from './distributed-servers';
import { SdkChatter } from '../../support/sdk-chatter';

/**
 * The distributed mode with real processes: two backend replicas (PROVISIONER=none) sharing one
 * Redis directory, two session servers started by hand, each registering with one of them, history
 * in Redis. Then the failures: a session server SIGKILLed mid-conversation, Redis restarted, a
 * backend replica killed.
 */

// Short for quick failover, with room for a loaded machine to delay a 200 ms heartbeat.
const HEARTBEAT_TTL_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('distributed: two backend replicas, two session servers, one Redis', () => {
  let redis: RedisServerHandle;
  const backends: { name: string; ports: BackendPorts; proc: ServerProcess; url: string; internal: string }[] = [];
  const sessions = new Map<string, { proc: ServerProcess; backendUrl: string }>();
  let backendEnv: Record<string, string>;
  let sessionEnv: Record<string, string>;
  let token: string;
  let rooms: string[] = [];

  const urlOf = (i: number) => backends[i].url;
  /** Where session servers of replica `i` send heartbeats (its internal listener). */
  const internalOf = (i: number) => backends[i].internal;

  async function startSessionServer(serverId: string, backendUrl: string): Promise<void> {
    const { proc } = await startSession(serverId, backendUrl, sessionEnv);
    sessions.set(serverId, { proc, backendUrl });
  }

  async function liveServers(base: string): Promise<string[]> {
    const r = await call<ClusterView>(base, 'GET', '/api/cluster', token);
    if (r.status !== 200) return [];
    return r.body.servers
      .filter((s) => s.alive && !s.draining)
      .map((s) => s.id)
      .sort();
  }

  async function bothReplicasSee(ids: string[]): Promise<void> {
    for (const b of backends) {
      await eventually(async () => JSON.stringify(await liveServers(b.url)) === JSON.stringify(ids), 15_000, `${b.name} to see ${ids.join(', ')}`);
    }
  }

  beforeAll(async () => {
    redis = await startRedisServer({ persistent: true });
    const env = clusterEnv(redis.url, 'distributed', HEARTBEAT_TTL_MS);
    // One user makes hundreds of get-or-start calls here: the per-user quotas are tested apart.
    backendEnv = { ...env.backend, ROOMS_PER_USER_PER_HOUR: '100000', SESSIONS_PER_USER_PER_MIN: '100000' };
    sessionEnv = env.session;

    const ports = [await freeBackendPorts(), await freeBackendPorts()];
    const started = await Promise.all(ports.map((p, i) => startBackend(`backend-${'ab'[i]}`, p, backendEnv)));
    started.forEach(({ proc, url, internal }, i) => backends.push({ name: `backend-${'ab'[i]}`, ports: ports[i], proc, url, internal }));
    await Promise.all([startSessionServer('s1', internalOf(0)), startSessionServer('s2', internalOf(1))]);
    token = (await call<LoginResponse>(urlOf(0), 'POST', '/api/login', undefined, { name: 'Ops' })).body.token;
    await bothReplicasSee(['s1', 's2']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...sessions.values()].map((s) => s.proc.stop('SIGKILL')));
    await Promise.all(backends.map((b) => b.proc.stop('SIGKILL')));
    await redis?.stop();
  });

  it('places 20 rooms once each under 200 concurrent get-or-starts split across both replicas', async () => {
    // A token from one replica works on the other: they share the secrets, not memory.
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call<CreateRoomResponse>(urlOf(i % 2), 'POST', '/api/rooms', token, { name: `room ${i}` })),
    );
    expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));
    rooms = created.map((r) => r.body.roomId);

    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const roomId = rooms[i % rooms.length];
        const replica = Math.floor(i / rooms.length) % 2;
        const r = await call<RoomSessionResponse & { message?: string }>(urlOf(replica), 'POST', `/api/rooms/${roomId}`, token);
        return { roomId, replica, status: r.status, serverId: r.body.serverId, error: r.body.message };
      }),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const owner = new Map<string, string>();
    for (const roomId of rooms) {
      const mine = answers.filter((a) => a.roomId === roomId);
      expect(new Set(mine.map((a) => a.replica))).toEqual(new Set([0, 1]));
      expect({ roomId, servers: [...new Set(mine.map((a) => a.serverId))] }).toEqual({ roomId, servers: [mine[0].serverId] });
      owner.set(roomId, mine[0].serverId);
    }
    // Least loaded first: the rooms are spread over both servers, not piled on one.
    const perServer = [...owner.values()].reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<string, number>());
    expect([...perServer.values()].sort()).toEqual([10, 10]);
    // Each replica's cluster view shows the same placements.
    const views = await Promise.all(backends.map((b) => call<ClusterView>(b.url, 'GET', '/api/cluster', token)));
    const placed = views.map((v) => Object.fromEntries(v.body.servers.map((s) => [s.id, [...s.rooms].sort()])));
    expect(placed[1]).toEqual(placed[0]);
  }, 60_000);

  it('resumes a conversation elsewhere when its session server is SIGKILLed: full history, contiguous seq', async () => {
    const roomId = (await call<CreateRoomResponse>(urlOf(0), 'POST', '/api/rooms', token, {})).body.roomId;
    const [alice, bob] = await Promise.all(
      ['alice', 'bob'].map(async (name, i) => {
        const t = (await call<LoginResponse>(urlOf(i), 'POST', '/api/login', undefined, { name })).body.token;
        // Each client asks its own replica first, the other after a failure.
        return new SdkChatter(name, i === 0 ? [urlOf(0), urlOf(1)] : [urlOf(1), urlOf(0)], t, roomId);
      }),
    );
    await Promise.all([alice.connect(), bob.connect()]);
    const victim = alice.servers[0];
    expect(bob.servers[0]).toBe(victim);

    const perClient = 30;
    let killed: Promise<void> | undefined;
    const talk = async (client: SdkChatter) => {
      for (let i = 1; i <= perClient; i++) {
        client.send(`${client.name} says ${i}`);
        if (client === alice && i === 10) killed = sessions.get(victim)!.proc.stop('SIGKILL');
        await sleep(60);
      }
    };
    await Promise.all([talk(alice), talk(bob)]);
    await killed;

    const total = 2 * perClient;
    await eventually(async () => alice.acks.size === perClient && bob.acks.size === perClient, 30_000, 'every message acked');
    await eventually(async () => alice.lastSeq === total && bob.lastSeq === total, 10_000, 'both clients to see every message');

    for (const client of [alice, bob]) {
      expect(client.violations).toEqual([]);
      expect(client.servers.length).toBeGreaterThanOrEqual(2);
      expect(client.servers.at(-1)).not.toBe(victim);
      // Seq 1..total, no gap, and each sent message exactly once.
      expect([...client.messages.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const ids = [...client.messages.values()].map((m) => m.id);
      expect(new Set(ids).size).toBe(total);
    }
    expect([...alice.messages.values()].map((m) => m.id).sort()).toEqual([...bob.messages.values()].map((m) => m.id).sort());

    // A newcomer asking for everything gets the same history from the new owner (read back from Redis).
    const carol = new SdkChatter('carol', [urlOf(1)], token, roomId);
    await carol.connect();
    expect(carol.servers[0]).toBe(alice.servers.at(-1));
    expect([...carol.messages.values()].map((m) => m.seq)).toEqual(
      Array.from({ length: Math.min(total, 100) }, (_, i) => total - Math.min(total, 100) + i + 1),
    );
    expect([...carol.messages.values()].map((m) => m.id)).toEqual([...alice.messages.values()].sort((a, b) => a.seq - b.seq).map((m) => m.id));
    await Promise.all([alice.close(), bob.close(), carol.close()]);

    // The killed server comes back under its id (as a restarted pod would) and registers again.
    await startSessionServer(victim, sessions.get(victim)!.backendUrl);
    await bothReplicasSee(['s1', 's2']);
  }, 60_000);

  it('answers 503 quickly while Redis is down, and serves again once it is back', async () => {
    const roomId = rooms[0];
    // A connected client keeps the room held (and reported) by its server.
    const holder = new SdkChatter('holder', [urlOf(0), urlOf(1)], token, roomId);
    await holder.connect();
    const serverId = holder.servers[0];

    await redis.stop();
    try {
      for (const b of backends) {
        const getOrStart = await call<RoomSessionResponse>(b.url, 'POST', `/api/rooms/${roomId}`, token);
        expect({ replica: b.name, status: getOrStart.status }).toEqual({ replica: b.name, status: 503 });
        expect(getOrStart.ms).toBeLessThan(2000);
        const create = await call(b.url, 'POST', '/api/rooms', token, {});
        expect({ replica: b.name, status: create.status }).toEqual({ replica: b.name, status: 503 });
        expect(create.ms).toBeLessThan(2000);
        const health = await call(b.url, 'GET', '/health');
        expect({ replica: b.name, status: health.status }).toEqual({ replica: b.name, status: 503 });
      }
    } finally {
      await redis.start();
    }
    // No heartbeat landed during the outage: wait for the next ones before asking for placements.
    await bothReplicasSee(['s1', 's2']);
    // Redis kept its data (append-only file): the same room, on the same server, from both replicas.
    for (const b of backends) {
      const again = await eventually(
        async () => {
          const r = await call<RoomSessionResponse>(b.url, 'POST', `/api/rooms/${roomId}`, token);
          return r.status === 200 && r.body;
        },
        15_000,
        `${b.name} to serve again`,
      );
      expect(again.serverId).toBe(serverId);
      await eventually(async () => (await call(b.url, 'GET', '/health')).status === 200, 15_000, `${b.name} healthy again`);
    }
    expect((await call(urlOf(1), 'POST', '/api/rooms', token, {})).status).toBe(201);
    // And the room takes messages again.
    holder.send('after the outage');
    await eventually(async () => holder.acks.size === 1, 15_000, 'the ack of a message sent after the outage');
    expect(holder.violations).toEqual([]);
    await holder.close();
  }, 60_000);

  it('keeps serving from the other replica when one backend replica is killed', async () => {
    const [a, b] = backends;
    await a.proc.stop('SIGKILL');
    // Replica b answers at once, for every room, with the servers the directory knows.
    const answers = await Promise.all(rooms.map((roomId) => call<RoomSessionResponse>(b.url, 'POST', `/api/rooms/${roomId}`, token)));
    expect(answers.map((r) => r.status)).toEqual(Array(rooms.length).fill(200));
    const login = await call<LoginResponse>(b.url, 'POST', '/api/login', undefined, { name: 'Late' });
    expect(login.status).toBe(201);

    // s1 heartbeats to the dead replica only (a Kubernetes Service would route it to b): after the TTL
    // it counts as dead and b moves its rooms to s2.
    await eventually(async () => JSON.stringify(await liveServers(b.url)) === '["s2"]', 15_000, 's1 to be dead for b');
    const moved = await Promise.all(rooms.map((roomId) => call<RoomSessionResponse>(b.url, 'POST', `/api/rooms/${roomId}`, token)));
    expect(new Set(moved.map((r) => r.body.serverId))).toEqual(new Set(['s2']));

    // The replica comes back on its address; s1 registers through it again.
    const restarted = await startBackend(a.name, a.ports, backendEnv);
    backends[0] = { ...a, proc: restarted.proc, url: restarted.url, internal: restarted.internal };
    await bothReplicasSee(['s1', 's2']);
  }, 60_000);
});
