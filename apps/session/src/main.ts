import 'reflect-metadata';
import { GENERATED_SECRETS_FILE } from '@app/config';
import { resolve } from 'node:path';
import { loadSessionConfig, SessionConfigError } from './config/load-session-config';
import type { SessionConfig } from './config/session.config';
import { startSessionApp } from './session-app';
import { SchemaTooOldError } from './store/postgres-schema';

function loadConfigOrExit(): SessionConfig {
  try {
    return loadSessionConfig(process.env, { keepDevSecrets: true });
  } catch (err) {
    if (!(err instanceof SessionConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

/**
 * A session server started by hand in development without INTERNAL_SECRET: say which secret it
 * uses and what a backend elsewhere needs, since otherwise its heartbeats are refused (401).
 */
function explainDevSecret(config: SessionConfig): void {
  if (config.production || process.env.INTERNAL_SECRET) return;
  process.stderr.write(
    `No INTERNAL_SECRET set: using the development one in ${resolve(config.DATA_DIR, GENERATED_SECRETS_FILE)}, which a backend ` +
      `started with the same DATA_DIR shares. For a backend with another DATA_DIR or its own INTERNAL_SECRET, start this ` +
      `server with INTERNAL_SECRET set to the backend's, and BACKEND_URL to the backend's internal listener (INTERNAL_PORT; ` +
      `now ${config.BACKEND_URL.join(', ')}).\n`,
  );
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  explainDevSecret(config);
  const { app, port, metricsPort } = await startSessionApp(config);
  // SIGTERM/SIGINT drain (DrainService) and exit 0; a failing drain exits 1.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  // Started by a backend (local provisioner, IPC channel): drain the same way when it is gone.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));

  // The line other processes wait for (tests, scripts reading a pipe); on a terminal it is an info
  // line like any other, shown only when LOG_LEVEL asks for info.
  const infoEnabled = ['info', 'debug', 'trace'].includes(config.LOG_LEVEL);
  if (process.stdout.isTTY && !infoEnabled) return;
  process.stdout.write(
    `${JSON.stringify({
      level: 30,
      time: Date.now(),
      msg: 'session server listening',
      serverId: config.serverId,
      url: config.publicUrl,
      port,
      metricsPort,
      store: config.ROOM_STORE,
    })}\n`,
  );
}

main().catch((err: unknown) => {
  // A schema older than this server needs is the operator's next step, not a fault: its message says what to run.
  const detail = err instanceof SchemaTooOldError ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`session server failed to start: ${detail}\n`);
  process.exit(1);
});
