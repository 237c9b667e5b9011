import { FactoryProvider } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { Metric } from '../../metrics/backend-metrics';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SessionTokenSigner } from '../../auth/session-token.signer';
import { CLOCK, Clock } from '../../clock/clock';
import { BackendConfig, ProvisionerKind } from '../../config/backend.config';
import { SESSION_DIRECTORY, SessionDirectory } from '../directory/session-directory.port';
import { LocalProvisioner } from './local.provisioner';
import { NoneProvisioner } from './none.provisioner';
import { PROVISIONER, Provisioner } from './provisioner.port';

/** Where the built session server is when none is configured: beside this backend's build. */
export function defaultSessionEntry(): string {
  return join(__dirname, '..', 'session', 'main.js');
}

export const provisionerProvider: FactoryProvider<Provisioner> = {
  provide: PROVISIONER,
  inject: [BackendConfig, SESSION_DIRECTORY, SessionTokenSigner, CLOCK, getToken(Metric.ProvisionerActions)],
  useFactory: (config: BackendConfig, directory: SessionDirectory, signer: SessionTokenSigner, clock: Clock, actions: Counter<'action'>) => {
    switch (config.PROVISIONER) {
      case ProvisionerKind.None:
        return new NoneProvisioner();
      case ProvisionerKind.Local: {
        const entry = config.SESSION_ENTRY ?? defaultSessionEntry();
        if (!existsSync(entry)) {
          throw new Error(`PROVISIONER=local: session server entry ${entry} not found (run "npm run build", or set SESSION_ENTRY)`);
        }
        return new LocalProvisioner(
          {
            entry,
            nodeArgs: config.SESSION_NODE_ARGS,
            min: config.SESSION_MIN,
            max: config.SESSION_MAX,
            basePort: config.SESSION_BASE_PORT,
            host: config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST,
            maxRoomsPerServer: config.SESSION_MAX_ROOMS,
            idleStopMs: config.SESSION_IDLE_STOP_MS,
            heartbeatTtlMs: config.HEARTBEAT_TTL_MS,
            env: config.sessionEnv,
            internalSecret: config.INTERNAL_SECRET,
            sessionTokenPublicKey: signer.publicKeyPem,
            onAction: (action) => actions.inc({ action }),
          },
          directory,
          () => clock.now(),
        );
      }
      default:
        throw new Error(`unknown PROVISIONER ${String(config.PROVISIONER)}`);
    }
  },
};
