import type { ClusterView, CreateRoomResponse, LoginResponse } from '@app/shared';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SdkChatter, storedHistory } from '../support/sdk-chatter';
import { freeBackendPorts, startBackend, startSession } from '../integration/redis/distributed-servers';
import { eventually } from '../support/eventually';
import { freePort } from '../support/processes';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { callApi } from '../support/room-api';
import { SESSION_ENTRY, ServerProcess } from '../support/server-process';
import { Workload } from './support/chaos-cluster';
import { NetNamespace } from './support/net-namespace';

/**
 * A session server partitioned from Redis and the backends while its clients stay connected: it runs
 * in a network namespace reached by two veth pairs, and the one to Redis and the backends is cut.
 * Its writes time out (no ack), the backend declares it dead after the TTL, its rooms get new owners
 * under new epochs, and when the link comes back nothing it held is acked or served twice. Skipped
 * where `ip netns` does not work (needs root; CI runs as root).
 */
const TTL_MS = 2000;
const describeIfNetns = NetNamespace.available() ? describe : describe.skip;

describeIfNetns('chaos: a session server partitioned from Redis and the backends', () => {
  let ns: NetNamespace;
  let redis: RedisServerHandle | undefined;
  const procs: ServerProcess[] = [];
  let backendUrls: string[] = [];
  /** The backends' internal listeners (heartbeats). */
  let internalUrls: string[] = [];
  let token = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    ns = NetNamespace.create();
    redis = await startRedisServer({ alsoBind: [ns.serviceHostAddress] });
    const redisPort = redis.port;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const secrets = { INTERNAL_SECRET: randomBytes(16).toString('hex') };
    const prefix = `chaos-partition:${randomBytes(3).toString('hex')}:`;
    const backendEnv = {
      ...secrets,
      HOST: '0.0.0.0',
      JWT_SECRET: randomBytes(24).toString('hex'),
      SESSION_TOKEN_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: prefix,
      HEARTBEAT_TTL_MS: String(TTL_MS),
    };
    const backendPorts = [await freeBackendPorts(), await freeBackendPorts()];
    for (const [i, ports] of backendPorts.entries()) {
      // The internal listener on every address too: the isolated server reaches it from its namespace.
      const { proc } = await startBackend(`backend-${i + 1}`, ports, { ...backendEnv, INTERNAL_HOST: '0.0.0.0' });
      procs.push(proc);
    }
    backendUrls = backendPorts.map((p) => `http://127.0.0.1:${p.port}`);
    internalUrls = backendPorts.map((p) => `http://127.0.0.1:${p.internal}`);
    const common = { ...secrets, REDIS_KEY_PREFIX: prefix, HEARTBEAT_INTERVAL_MS: '250', RATE_PER_SECOND: '50', RATE_BURST: '100' };

    // The partitioned-to-be server first, alone, so the rooms land on it.
    const port = await freePort();
    const { proc: inside } = await ServerProcess.start(
      'isolated',
      SESSION_ENTRY,
      {
        ...common,
        PORT: String(port),
        HOST: '0.0.0.0',
        SERVER_ID: 'isolated',
        PUBLIC_URL: `ws://${ns.clientSideAddress}:${port}`,
        ROOM_STORE: 'redis',
        REDIS_URL: `redis://${ns.serviceHostAddress}:${redisPort}`,
        BACKEND_URL: backendPorts.map((p) => `http://${ns.serviceHostAddress}:${p.internal}`).join(','),
        LOG_LEVEL: 'warn',
      },
      /"msg":"session server listening"/,
      { prefix: ['ip', 'netns', 'exec', ns.name] },
    );
    procs.push(inside);
    token = (await call<LoginResponse>('POST', '/api/login', undefined, { name: 'Checker' })).body.token;
    await eventually(
      async () => (await call<ClusterView>('GET', '/api/cluster', token)).body.servers.some((s) => s.id === 'isolated' && s.alive),
      15_000,
      'the isolated server to register',
    );
    env = { ...common, REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  }, 90_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await redis?.stop();
    ns?.destroy();
  });

  const call = <T>(method: string, path: string, auth?: string, body?: unknown) => callApi<T>(backendUrls[0], method, path, auth, body, 5000);

  it('moves its rooms to live servers, acks nothing twice or lost, and gives them up when the link returns', async () => {
    const roomIds: string[] = [];
    for (let i = 0; i < 3; i++) roomIds.push((await call<CreateRoomResponse>('POST', '/api/rooms', token, {})).body.roomId);
    const clients: SdkChatter[] = [];
    for (const roomId of roomIds) {
      for (let c = 0; c < 3; c++) {
        const name = `p${clients.length}`;
        const userToken = (await call<LoginResponse>('POST', '/api/login', undefined, { name })).body.token;
        clients.push(new SdkChatter(name, backendUrls, userToken, roomId));
      }
    }
    await Promise.all(clients.map((c) => c.connect()));
    expect(new Set(clients.map((c) => c.servers[0]))).toEqual(new Set(['isolated']));
    // Two servers outside that can take the rooms.
    for (const id of ['s2', 's3']) procs.push((await startSession(id, internalUrls.join(','), env)).proc);

    const work = new Workload((roomId) => storedHistory(backendUrls, token, roomId), roomIds, clients);
    work.chat(200);
    await new Promise((r) => setTimeout(r, 1000));
    const at = Date.now();
    ns.partition();
    const servedAgainMs = await work.servedAgain(at, 45_000);
    expect(clients.every((c) => c.servers.at(-1) !== 'isolated')).toBe(true);
    await new Promise((r) => setTimeout(r, TTL_MS));
    ns.heal();
    await new Promise((r) => setTimeout(r, 2 * TTL_MS));
    await work.quiet();
    await work.settled();

    const problems = await work.check();
    console.log(
      `chaos figures: ${JSON.stringify({ partition: { servedAgainMs, switchOverP99Ms: work.switchOverP99(), acked: clients.reduce((n, c) => n + c.acks.size, 0) } })}`,
    );
    expect(problems).toEqual([]);
    await work.close();
  }, 120_000);
});
