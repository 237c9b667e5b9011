import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadSessionConfig } from '../../../apps/session/src/config/load-session-config';
import type { SessionConfig } from '../../../apps/session/src/config/session.config';
import { HeartbeatService } from '../../../apps/session/src/heartbeat/heartbeat.service';
import { startSessionApp } from '../../../apps/session/src/session-app';
import { eventually } from '../../support/eventually';
import { FakeBackend } from './fake-backend';
import { createSessionTokenKeys, mintSessionToken, type SessionTokenInput, type SessionTokenKeys } from './session-tokens';

export const TEST_INTERNAL_SECRET = 'test-internal-secret';

export interface TestSessionServer {
  app: INestApplication;
  config: SessionConfig;
  serverId: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  httpUrl: string;
  /** `http://127.0.0.1:<port>` of the metrics listener, when the env set METRICS_PORT. */
  metricsUrl?: string;
  /** Connect URL for a token (and optional `since`). */
  urlFor(token: string, since?: number): string;
  /** Session token for this server (`aud` defaults to its id). */
  token(input: Omit<SessionTokenInput, 'aud'> & { aud?: string }): string;
  close(): Promise<void>;
}

export interface SessionTestEnv {
  keys: SessionTokenKeys;
  backend: FakeBackend;
  dataDir: string;
  /** Boots a session server in this process on port 0, registered with the fake backend. */
  start(env?: Record<string, string>, options?: { waitForKey?: boolean }): Promise<TestSessionServer>;
  /** Closes every server still running, the backend, and removes the data dir. */
  dispose(): Promise<void>;
}

/**
 * A fake backend (heartbeats, token key) and a factory of real session servers (NestFactory with
 * RoomWsAdapter) sharing one key pair and one data dir. The key reaches the servers through the
 * heartbeat reply, as in production without SESSION_TOKEN_PUBLIC_KEY.
 */
export async function createSessionTestEnv(): Promise<SessionTestEnv> {
  const keys = createSessionTokenKeys();
  const backend = await FakeBackend.start({ internalSecret: TEST_INTERNAL_SECRET, sessionTokenPublicKey: keys.publicKeyPem });
  const dataDir = mkdtempSync(join(tmpdir(), 'session-it-'));
  const running = new Set<TestSessionServer>();
  let started = 0;

  return {
    keys,
    backend,
    dataDir,
    async start(env = {}, options = {}) {
      const serverId = env.SERVER_ID ?? `it-session-${++started}`;
      const config = loadSessionConfig({
        PORT: '0',
        SERVER_ID: serverId,
        BACKEND_URL: backend.url,
        INTERNAL_SECRET: TEST_INTERNAL_SECRET,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        HEARTBEAT_INTERVAL_MS: '200',
        ...env,
      });
      const { app, port, metricsPort } = await startSessionApp(config);
      const wsUrl = `ws://127.0.0.1:${port}`;
      // Ready once the first heartbeat brought the key (unless the env pinned one).
      if (options.waitForKey !== false) {
        await eventually(() => app.get(HeartbeatService).successfulBeats > 0 || Boolean(config.SESSION_TOKEN_PUBLIC_KEY), 5000, 'first heartbeat');
      }
      let closed = false;
      const server: TestSessionServer = {
        app,
        config,
        serverId,
        wsUrl,
        httpUrl: `http://127.0.0.1:${port}`,
        metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}`,
        urlFor: (token, since) => `${wsUrl}/?token=${encodeURIComponent(token)}${since === undefined ? '' : `&since=${since}`}`,
        token: (input) => mintSessionToken(keys, { aud: serverId, ...input }),
        async close() {
          if (closed) return;
          closed = true;
          running.delete(server);
          await app.close();
        },
      };
      running.add(server);
      return server;
    },
    async dispose() {
      await Promise.all([...running].map((s) => s.close()));
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
