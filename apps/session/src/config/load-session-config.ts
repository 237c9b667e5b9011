import { devSecretsIn, generateSecret, readEnvConfig } from '@app/config';
import { SessionConfig } from './session.config';

const OPTIONAL_KEYS = [
  'SERVER_ID',
  'PUBLIC_URL',
  'SESSION_TOKEN_PUBLIC_KEY',
  'REDIS_URL',
  'DATABASE_URL',
  'ALLOWED_ORIGINS',
  'METRICS_PORT',
  'INTERNAL_SECRET',
];

export class SessionConfigError extends Error {
  override name = 'SessionConfigError';
}

export interface LoadSessionConfigOptions {
  /**
   * Without INTERNAL_SECRET in development, use the one kept in DATA_DIR (made there by whichever of
   * the backend and this server came first): main.ts. Off (tests): one made up for this call.
   */
  keepDevSecrets?: boolean;
}

/**
 * Builds and validates the config from an environment (main.ts passes `process.env`, tests pass a
 * plain object); throws one error listing every problem so a bad deployment fails at start-up.
 */
export function loadSessionConfig(env: Record<string, string | undefined>, options: LoadSessionConfigOptions = {}): SessionConfig {
  const { config, problems } = readEnvConfig(SessionConfig, env, OPTIONAL_KEYS);
  if (config.production && !config.INTERNAL_SECRET) {
    problems.push('INTERNAL_SECRET must be set in production (the backends’ INTERNAL_SECRET)');
  } else if (!config.INTERNAL_SECRET && !problems.length) {
    try {
      config.INTERNAL_SECRET = options.keepDevSecrets ? devSecretsIn(config.DATA_DIR).secrets.INTERNAL_SECRET : generateSecret();
    } catch (err) {
      problems.push(`development secrets: ${(err as Error).message}`);
    }
  }
  if (config.ROOM_STORE === 'redis' && !config.REDIS_URL) problems.push('ROOM_STORE=redis needs REDIS_URL');
  if (config.ROOM_STORE === 'postgres' && !config.DATABASE_URL)
    problems.push('ROOM_STORE=postgres needs DATABASE_URL (postgres://user:password@host:port/database)');
  if (config.HISTORY_RETENTION_DAYS !== undefined && config.ROOM_STORE !== 'sqlite' && config.ROOM_STORE !== 'postgres') {
    problems.push(`HISTORY_RETENTION_DAYS applies to ROOM_STORE=sqlite or postgres (ROOM_STORE=${config.ROOM_STORE} keeps the newest messages by count)`);
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics on PORT)');
  }
  if (problems.length) throw new SessionConfigError(`Invalid session server configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
