import { BACKEND_ENTRY, BACKEND_READY, SESSION_ENTRY, ServerProcess } from '../../support/server-process';

// The distributed deployment by hand: backend replicas without a provisioner, on ports the test
// picks (a replica is restarted on its port), and session servers started separately.

/** A backend replica on `port` with the shared directory in Redis and no provisioner. */
export async function startBackend(name: string, port: number, env: Record<string, string>): Promise<{ proc: ServerProcess; url: string }> {
  const { proc, match } = await ServerProcess.start(
    name,
    BACKEND_ENTRY,
    { PORT: String(port), PROVISIONER: 'none', LOG_LEVEL: 'warn', HTTP_RATE_LIMIT_PER_MIN: '100000', ...env },
    BACKEND_READY,
  );
  return { proc, url: match[1] };
}

/** A session server with a Redis room store, registering with one backend. */
export async function startSession(serverId: string, backendUrl: string, env: Record<string, string>): Promise<{ proc: ServerProcess; port: number }> {
  const { proc, match } = await ServerProcess.start(
    serverId,
    SESSION_ENTRY,
    { PORT: '0', SERVER_ID: serverId, BACKEND_URL: backendUrl, ROOM_STORE: 'redis', LOG_LEVEL: 'warn', ...env },
    /"msg":"session server listening".*?"port":(\d+)/,
  );
  return { proc, port: Number(match[1]) };
}
