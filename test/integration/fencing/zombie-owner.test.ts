import type { ClusterView, CreateRoomResponse, LoginResponse } from '@app/shared';
import { eventually } from '../../support/eventually';
import { callApi as call } from '../../support/room-api';
import { RedisServerHandle, startRedisServer } from '../../support/redis-server';
import { ServerProcess } from '../../support/server-process';
import { clusterEnv, freeBackendPorts, startBackend, startSession } from '../redis/distributed-servers';
import { SdkChatter, storedHistory } from '../../support/sdk-chatter';
import { HoldingForwarder } from './holding-forwarder';

/**
 * The zombie owner of issue 16, with real processes: session server S1 owns a room and is frozen
 * (SIGSTOP) past the heartbeat TTL; a client sends a message into the frozen S1 (it waits in S1's
 * socket buffer); the room is placed on S2, where a reader loads it. S1 wakes (SIGCONT) while its
 * backend is slow (its heartbeats are held), so it handles the queued frame before any heartbeat
 * reply can tell it the room moved. Without fencing its Redis append passed (the seq was free), it
 * acked the message, and S2 went on serving a history without it. With fencing the store refuses
 * the write (S2 claimed a newer epoch): nothing is acked that the room later lacks.
 */

const HEARTBEAT_TTL_MS = 1500;

describe('fencing: a frozen owner that wakes up after its room moved (the zombie case)', () => {
  let redis: RedisServerHandle;
  let backend: { proc: ServerProcess; url: string; internal: string };
  let forwarder: HoldingForwarder;
  const sessions: ServerProcess[] = [];
  let sessionEnv: Record<string, string>;
  let token: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = clusterEnv(redis.url, 'zombie', HEARTBEAT_TTL_MS);
    backend = await startBackend('backend', await freeBackendPorts(), env.backend);
    forwarder = await HoldingForwarder.start(backend.internal);
    sessionEnv = { ...env.session, ROOM_IDLE_MS: '60000' };
    token = (await call<LoginResponse>(backend.url, 'POST', '/api/login', undefined, { name: 'Ops' })).body.token;
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) {
      try {
        process.kill(s.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await Promise.all(sessions.map((s) => s.stop('SIGKILL')));
    await forwarder?.close();
    await backend?.proc.stop('SIGKILL');
    await redis?.stop();
  });

  async function aliveServers(): Promise<string[]> {
    const view = await call<ClusterView>(backend.url, 'GET', '/api/cluster', token);
    return view.body.servers
      .filter((s) => s.alive)
      .map((s) => s.id)
      .sort();
  }

  it('acks nothing the room later lacks: the woken owner’s write is refused and its clients resume on the new owner', async () => {
    // S1 heartbeats through the forwarder (so its backend can be made slow); S2 straight to the backend.
    const s1 = (await startSession('s1', forwarder.url, sessionEnv)).proc;
    sessions.push(s1);
    await eventually(async () => (await aliveServers()).includes('s1'), 10_000, 's1 to register');
    const roomId = (await call<CreateRoomResponse>(backend.url, 'POST', '/api/rooms', token, {})).body.roomId;
    const users = await Promise.all(
      ['writer', 'reader'].map(async (name) => (await call<LoginResponse>(backend.url, 'POST', '/api/login', undefined, { name })).body.token),
    );
    const writer = new SdkChatter('writer', [backend.url], users[0], roomId);
    await writer.connect();
    expect(writer.servers).toEqual(['s1']);
    for (let i = 1; i <= 5; i++) writer.send(`before ${i}`);
    await eventually(() => writer.pending.size === 0, 10_000, 'the first messages to be acked');

    const s2 = (await startSession('s2', backend.internal, sessionEnv)).proc;
    sessions.push(s2);
    await eventually(async () => (await aliveServers()).includes('s2'), 10_000, 's2 to register');

    // Freeze S1; a message goes into its socket buffer; S1 turns dead in the directory.
    process.kill(s1.pid, 'SIGSTOP');
    const zombieId = writer.send('into the frozen owner');
    await eventually(async () => JSON.stringify(await aliveServers()) === '["s2"]', 15_000, 's1 to be dead in the directory');

    // A reader asks for the room: it is placed on S2, which loads it (stores nothing).
    const reader = new SdkChatter('reader', [backend.url], users[1], roomId);
    await reader.connect();
    expect(reader.servers).toEqual(['s2']);
    expect(reader.lastSeq).toBe(5);

    // S1 wakes while its backend is slow: the queued frame is handled before any heartbeat reply.
    forwarder.hold();
    process.kill(s1.pid, 'SIGCONT');
    // Either S1 acks the message (unfenced) or gives the room up (fenced): the writer's socket to S1 closes.
    await eventually(() => writer.acks.has(zombieId) || writer.servers.length > 1 || !writer.connected, 10_000, 'S1 to handle the queued frame');
    forwarder.release();

    // Everyone settles: the writer's message is acked somewhere, both clients on the room's owner.
    await eventually(() => writer.pending.size === 0 && writer.connected, 20_000, 'the writer to have every message acked');
    const ackedSeq = writer.acks.get(zombieId)!;
    // The room as anyone sees it from now on holds every acked message at its acked seq.
    const now = await eventually(
      async () => {
        const seen = await storedHistory([backend.url], token, roomId);
        return seen.serverId === 's2' ? seen : null;
      },
      15_000,
      'the room to be served by s2',
    );
    const bySeq = new Map(now.messages.map((m) => [m.seq, m]));
    const lost = [...writer.acks].filter(([id, seq]) => bySeq.get(seq)?.id !== id).map(([id, seq]) => `${id}@${seq}`);
    expect({ lost, lastSeq: now.lastSeq }).toEqual({ lost: [], lastSeq: 6 });
    expect(ackedSeq).toBe(6);
    expect(now.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // The reader, on S2 all along, saw the message exactly once, at its seq.
    await eventually(() => reader.lastSeq >= 6, 10_000, 'the reader to see seq 6');
    expect(reader.messages.get(6)?.id).toBe(zombieId);
    expect([...writer.violations, ...reader.violations]).toEqual([]);
    await Promise.all([writer.close(), reader.close()]);
  }, 90_000);
});
