import type { ClusterView, CreateRoomResponse, LoginResponse } from '@app/shared';
import { TokenType } from '@app/shared';
import { JwtService } from '@nestjs/jwt';
import { eventually } from '../../support/eventually';
import { callApi as call, percentile } from '../../support/room-api';
import { RedisServerHandle, startRedisServer } from '../../support/redis-server';
import { ServerProcess } from '../../support/server-process';
import { clusterEnv, freeBackendPorts, startBackend, startSession } from '../redis/distributed-servers';
import { SdkChatter, storedHistory } from '../../support/sdk-chatter';

/**
 * Live moves under traffic, with real processes (one backend, three session servers, Redis): an
 * operator drains a server, moves a room, and a server is stopped with SIGTERM. Each time the rooms
 * are placed elsewhere first, then their members get `moved` and 1012 and resume on the new owner.
 * Checked over the whole history: every acked message exactly once at its acked seq, every client's
 * view gapless, and the client-visible switch-over (last frame on the old server → welcome on the
 * new) measured.
 */

const HEARTBEAT_TTL_MS = 3000;
const ROOMS = 6;
const CLIENTS_PER_ROOM = 3;
const SEND_EVERY_MS = 150;

describe('live moves under traffic: drain, operator move, SIGTERM', () => {
  let redis: RedisServerHandle;
  let backend: { proc: ServerProcess; url: string; internal: string };
  const sessions = new Map<string, ServerProcess>();
  let jwtSecret: string;
  let adminToken: string;
  let token: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = clusterEnv(redis.url, 'moves', HEARTBEAT_TTL_MS);
    jwtSecret = env.backend.JWT_SECRET;
    backend = await startBackend('backend', await freeBackendPorts(), env.backend);
    const sessionEnv = { ...env.session, RATE_PER_SECOND: '50', RATE_BURST: '100' };
    for (const id of ['s1', 's2', 's3']) sessions.set(id, (await startSession(id, backend.internal, sessionEnv)).proc);
    token = (await call<LoginResponse>(backend.url, 'POST', '/api/login', undefined, { name: 'Ops' })).body.token;
    // An operator's access token: what POST /api/admin/login issues (role admin), signed with the backend's secret.
    adminToken = new JwtService().sign(
      { typ: TokenType.Access, sub: 'admin', name: 'Admin', role: 'admin' },
      { secret: jwtSecret, algorithm: 'HS256', expiresIn: 3600 },
    );
    await eventually(
      async () => {
        const view = await call<ClusterView>(backend.url, 'GET', '/api/cluster', token);
        return view.body.servers.filter((s) => s.alive).length === 3;
      },
      15_000,
      'three live session servers',
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...sessions.values()].map((s) => s.stop('SIGKILL')));
    await backend?.proc.stop('SIGKILL');
    await redis?.stop();
  });

  it('refuses the operator actions without the admin role, and answers 404/409 for unknown targets', async () => {
    expect((await call(backend.url, 'POST', '/api/admin/servers/s1/drain', token)).status).toBe(403);
    expect((await call(backend.url, 'POST', '/api/admin/servers/s1/drain')).status).toBe(401);
    expect((await call(backend.url, 'POST', '/api/admin/servers/nobody/drain', adminToken)).status).toBe(404);
    expect((await call(backend.url, 'POST', '/api/admin/rooms/unknownroom1/move', adminToken, {})).status).toBe(404);
    const roomId = (await call<CreateRoomResponse>(backend.url, 'POST', '/api/rooms', token, {})).body.roomId;
    expect((await call(backend.url, 'POST', `/api/admin/rooms/${roomId}/move`, adminToken, { to: 'nobody' })).status).toBe(409);
    expect((await call(backend.url, 'POST', `/api/admin/rooms/${roomId}/move`, adminToken, { to: 'bad id!' })).status).toBe(400);
  });

  it('moves every member without loss or duplicate, and measures the switch-over', async () => {
    const roomIds: string[] = [];
    for (let i = 0; i < ROOMS; i++) roomIds.push((await call<CreateRoomResponse>(backend.url, 'POST', '/api/rooms', token, {})).body.roomId);
    const clients: SdkChatter[] = [];
    for (const roomId of roomIds) {
      for (let c = 0; c < CLIENTS_PER_ROOM; c++) {
        const name = `c${clients.length}`;
        const userToken = (await call<LoginResponse>(backend.url, 'POST', '/api/login', undefined, { name })).body.token;
        clients.push(new SdkChatter(name, [backend.url], userToken, roomId));
      }
    }
    await Promise.all(clients.map((c) => c.connect()));
    let talking = true;
    const talk = (async () => {
      while (talking) {
        for (const c of clients) c.send(`${c.name} at ${Date.now()}`);
        await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
      }
    })();
    const ownerOf = async (roomId: string) => {
      const view = await call<ClusterView>(backend.url, 'GET', '/api/cluster', adminToken);
      return view.body.servers.find((s) => s.rooms.includes(roomId))?.id;
    };
    const settle = () =>
      eventually(() => clients.every((c) => c.connected) && clients.every((c) => c.pending.size <= 2), 20_000, 'every client to be live again');
    await new Promise((r) => setTimeout(r, 1000));

    // 1. An operator drains the server holding the first room.
    const drained = (await ownerOf(roomIds[0]))!;
    const drain = await call<{ movedRooms: string[] }>(backend.url, 'POST', `/api/admin/servers/${drained}/drain`, adminToken);
    expect(drain.status).toBe(202);
    expect(drain.body.movedRooms).toContain(roomIds[0]);
    await eventually(
      async () => {
        for (const roomId of roomIds) if ((await ownerOf(roomId)) === drained) return false;
        return clients.every((c) => c.servers.at(-1) !== drained);
      },
      20_000,
      `every client off ${drained}`,
    );
    await settle();
    await new Promise((r) => setTimeout(r, 500));

    // 2. An operator moves one room to a given server.
    const live = ['s1', 's2', 's3'].filter((s) => s !== drained);
    const from = (await ownerOf(roomIds[1]))!;
    const to = live.find((s) => s !== from)!;
    const move = await call<{ serverId: string; epoch: number }>(backend.url, 'POST', `/api/admin/rooms/${roomIds[1]}/move`, adminToken, { to });
    expect(move.status).toBe(202);
    expect(move.body.serverId).toBe(to);
    await eventually(() => clients.filter((c) => c.roomId === roomIds[1]).every((c) => c.servers.at(-1) === to && c.connected), 20_000, `room 1 on ${to}`);
    await settle();
    await new Promise((r) => setTimeout(r, 500));

    // 3. SIGTERM of the server now holding the second room.
    await sessions.get(to)!.stop('SIGTERM');
    await eventually(() => clients.every((c) => c.connected && c.servers.at(-1) !== to), 20_000, `every client off ${to}`);
    await settle();

    talking = false;
    await talk;
    await eventually(() => clients.every((c) => c.pending.size === 0), 20_000, 'every message to be acked');

    // Checker over the whole history of every room.
    const problems: string[] = [];
    for (const roomId of roomIds) {
      const { messages: history } = await storedHistory([backend.url], token, roomId);
      const seqs = history.map((m) => m.seq);
      if (seqs.some((s, i) => s !== i + 1)) problems.push(`room ${roomId}: seqs not 1..n`);
      const ids = history.map((m) => m.id);
      if (new Set(ids).size !== ids.length) problems.push(`room ${roomId}: a message stored twice`);
      const bySeq = new Map(history.map((m) => [m.seq, m]));
      for (const c of clients.filter((x) => x.roomId === roomId)) {
        for (const [id, seq] of c.acks) if (bySeq.get(seq)?.id !== id) problems.push(`${c.name}: ${id} acked at ${seq}, not there`);
        for (const [seq, m] of c.messages) if (bySeq.get(seq)?.id !== m.id) problems.push(`${c.name}: saw ${m.id} at ${seq}, history differs`);
        problems.push(...c.violations.map((v) => `${c.name}: ${v}`));
      }
    }
    expect(problems).toEqual([]);

    const switches = clients.flatMap((c) => c.switches);
    const ms = switches.map((s) => s.ms);
    const report = {
      switches: switches.length,
      announcedByMoved: switches.filter((s) => s.moved).length,
      closeCodes: [...new Set(clients.flatMap((c) => c.closeCodes))].sort(),
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      max: Math.max(...ms),
      messages: clients.reduce((n, c) => n + c.acks.size, 0),
      failedAttempts: clients.flatMap((c) => c.failedAttempts).slice(0, 5),
    };
    console.log(`live moves: ${JSON.stringify(report)}`);
    // Every client moved twice or three times (drain; the moved room; SIGTERM of its server).
    expect(switches.length).toBeGreaterThanOrEqual(clients.length);
    expect(switches.every((s) => s.moved && s.closeCode === 1012)).toBe(true);
    // The switch-over time is reported, not asserted: on a loaded 2-core machine it varies several-fold,
    // and speed targets belong to the benchmark, not to a pass/fail test.
    await Promise.all(clients.map((c) => c.close()));
  }, 120_000);
});
