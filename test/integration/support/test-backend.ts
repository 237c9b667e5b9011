import { HEARTBEAT_PATH, INTERNAL_SECRET_HEADER, type SessionHeartbeat } from '@app/shared';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { createBackendApp, listenBackend } from '../../../apps/backend/src/bootstrap';
import { loadBackendConfig } from '../../../apps/backend/src/config/load-config';
import { InternalListener } from '../../../apps/backend/src/scheduler/heartbeat/internal-listener';

/** A JSON log line of the backend. */
export type LogLine = Record<string, any>;

export interface TestBackend {
  readonly app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly port: number;
  /** The internal listener (heartbeats), `http://127.0.0.1:<INTERNAL_PORT>`: session servers' BACKEND_URL. */
  readonly internal: string;
}

export interface TestBackendOptions {
  /** Every JSON line the backend logs is pushed here (instead of stdout). */
  logLines?: LogLine[];
}

/**
 * The backend as main.ts builds it, in process on a free port, with no provisioner and an in-memory
 * room catalog (so no session server starts behind the test's back), logging nothing unless asked.
 * `env` adds or overrides variables.
 */
export async function startTestBackend(env: Record<string, string> = {}, options: TestBackendOptions = {}): Promise<TestBackend> {
  const config = loadBackendConfig({ PORT: '0', INTERNAL_PORT: '0', PROVISIONER: 'none', ROOM_CATALOG: 'memory', LOG_LEVEL: 'silent', ...env });
  const lines = options.logLines;
  const logDestination = lines
    ? new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
          done();
        },
      })
    : undefined;
  const app = await createBackendApp(config, { logDestination });
  const base = await listenBackend(app, config);
  return { app, base, port: Number(new URL(base).port), internal: internalUrlOf(app) };
}

/** Where a listening backend takes heartbeats (its internal listener, never its public port). */
export function internalUrlOf(app: NestFastifyApplication): string {
  return app.get(InternalListener).url;
}

/** {@link startTestBackend} before the file's tests, closed after them; read its fields inside tests and hooks. */
export function backendForThisFile(env: Record<string, string> = {}, options: TestBackendOptions = {}): TestBackend {
  let backend: TestBackend | undefined;
  beforeAll(async () => {
    backend = await startTestBackend(env, options);
  });
  afterAll(async () => {
    await backend?.app.close();
  });
  const started = (): TestBackend => backend ?? raise('the backend starts in beforeAll: read it inside a test or hook');
  return {
    get app() {
      return started().app;
    },
    get base() {
      return started().base;
    },
    get port() {
      return started().port;
    },
    get internal() {
      return started().internal;
    },
  };
}

/**
 * Registers a session server that is not there (its URL leads nowhere), so the backend can place
 * rooms. `internal` is the backend's internal listener ({@link TestBackend.internal}).
 */
export function registerFakeSessionServer(internal: string, secret: string, heartbeat: Partial<SessionHeartbeat> & { serverId: string }): Promise<Response> {
  return fetch(internal + HEARTBEAT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: secret },
    body: JSON.stringify({ url: 'ws://127.0.0.1:1', capacity: 1000, rooms: [], connections: 0, draining: false, ...heartbeat }),
  });
}

function raise(message: string): never {
  throw new Error(message);
}
