import 'reflect-metadata';
import { AdminSecret } from './auth/admin-secret';
import { createBackendApp, listenBackend } from './bootstrap';
import { BackendConfig } from './config/backend.config';
import { ConfigError, loadBackendConfig } from './config/load-config';
import { InternalListener } from './scheduler/heartbeat/internal-listener';
import { LocalProvisioner } from './scheduler/provisioner/local.provisioner';
import { PROVISIONER, Provisioner } from './scheduler/provisioner/provisioner.port';
import { SchedulerService } from './scheduler/scheduler.service';

async function main(): Promise<void> {
  let config: BackendConfig;
  try {
    config = loadBackendConfig(process.env, { keepDevSecrets: true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await createBackendApp(config);
  const provisioner = app.get<Provisioner>(PROVISIONER);
  // Last resort: even on a crash no local session server outlives this process.
  if (provisioner instanceof LocalProvisioner) process.on('exit', () => provisioner.killAll());

  const url = await listenBackend(app, config);
  const servers = await app.get(SchedulerService).liveServers();
  // Printed once on the console, never into the log: a development convenience like the banner.
  const admin = app.get(AdminSecret).generated;
  process.stdout.write(
    `\n  Rooms is ready: open ${url}/   (API docs: ${url}/docs)\n` +
      `  provisioner ${provisioner.kind}, ${servers.length} live session server(s), directory ${config.REDIS_URL ? 'redis' : 'memory'}. Ctrl-C stops everything.\n` +
      `  Session servers heartbeat to the internal listener ${app.get(InternalListener).url}  (their BACKEND_URL).\n` +
      (admin ? `  No ADMIN_SECRET set: the admin secret of this run is ${admin}  (cluster page, "Admin login").\n` : '') +
      '\n',
  );
}

void main();
