import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { freePort } from '../../support/processes';
import { uniqueKeyPrefix } from '../../support/redis-server';
import { BACKEND_ENTRY, BACKEND_READY, SESSION_ENTRY, ServerProcess } from '../../support/server-process';

// The distributed deployment by hand: backend replicas without a provisioner, on ports the test
// picks (a replica is restarted on its port), and session servers started separately.

/** A backend's public port and the port of its internal listener (heartbeats). */
export interface BackendPorts {
  port: number;
  internal: number;
}

export async function freeBackendPorts(): Promise<BackendPorts> {
  return { port: await freePort(), internal: await freePort() };
}

/**
 * A backend replica on `ports` with the shared directory in Redis and no provisioner. `internal` is
 * its internal listener on loopback, where session servers send heartbeats.
 */
export async function startBackend(
  name: string,
  ports: BackendPorts,
  env: Record<string, string>,
): Promise<{ proc: ServerProcess; url: string; internal: string }> {
  const { proc, match } = await ServerProcess.start(
    name,
    BACKEND_ENTRY,
    {
      PORT: String(ports.port),
      INTERNAL_PORT: String(ports.internal),
      PROVISIONER: 'none',
      LOG_LEVEL: 'warn',
      HTTP_RATE_LIMIT_PER_MIN: '100000',
      GUESTS_PER_ADDRESS_PER_HOUR: '0',
      ROOMS_PER_ADDRESS_PER_HOUR: '0',
      ...env,
    },
    BACKEND_READY,
  );
  return { proc, url: match[1], internal: `http://127.0.0.1:${ports.internal}` };
}

/** A session server with a Redis room store, registering with one backend (`backendUrl`: its internal listener). */
export async function startSession(serverId: string, backendUrl: string, env: Record<string, string>): Promise<{ proc: ServerProcess; port: number }> {
  const { proc, match } = await ServerProcess.start(
    serverId,
    SESSION_ENTRY,
    { PORT: '0', SERVER_ID: serverId, BACKEND_URL: backendUrl, ROOM_STORE: 'redis', LOG_LEVEL: 'warn', ...env },
    /"msg":"session server listening".*?"port":(\d+)/,
  );
  return { proc, port: Number(match[1]) };
}

export interface ClusterEnv {
  /** For every backend replica: the shared secrets, the session token signing key, Redis, the heartbeat TTL. */
  backend: Record<string, string>;
  /** For every session server: the internal secret, Redis, a heartbeat every 200 ms. */
  session: Record<string, string>;
}

/** Fresh secrets and a key prefix of its own for one hand-made cluster on `redisUrl`. */
export function clusterEnv(redisUrl: string, label: string, heartbeatTtlMs: number): ClusterEnv {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const shared = { INTERNAL_SECRET: randomBytes(16).toString('hex'), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueKeyPrefix(label) };
  return {
    backend: {
      ...shared,
      JWT_SECRET: randomBytes(24).toString('hex'),
      SESSION_TOKEN_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      HEARTBEAT_TTL_MS: String(heartbeatTtlMs),
    },
    session: { ...shared, HEARTBEAT_INTERVAL_MS: '200' },
  };
}
