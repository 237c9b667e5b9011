import 'reflect-metadata';
import { loadSessionConfig, SessionConfigError } from './config/load-session-config';
import type { SessionConfig } from './config/session.config';
import { startSessionApp } from './session-app';

function loadConfigOrExit(): SessionConfig {
  try {
    return loadSessionConfig(process.env);
  } catch (err) {
    if (!(err instanceof SessionConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
  process.stderr.write(`session server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
