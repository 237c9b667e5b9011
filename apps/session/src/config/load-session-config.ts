import { readEnvConfig } from '@app/config';
import { DEV_INTERNAL_SECRET } from '@app/shared';
import { SessionConfig } from './session.config';

const OPTIONAL_KEYS = ['SERVER_ID', 'PUBLIC_URL', 'SESSION_TOKEN_PUBLIC_KEY', 'REDIS_URL', 'ALLOWED_ORIGINS', 'METRICS_PORT'];

export class SessionConfigError extends Error {
  override name = 'SessionConfigError';
}

/**
 * Builds and validates the config from an environment (main.ts passes `process.env`, tests pass a
 * plain object); throws one error listing every problem so a bad deployment fails at start-up.
 */
export function loadSessionConfig(env: Record<string, string | undefined>): SessionConfig {
  const { config, problems } = readEnvConfig(SessionConfig, env, OPTIONAL_KEYS);
  if (config.production && config.INTERNAL_SECRET === DEV_INTERNAL_SECRET) {
    problems.push('INTERNAL_SECRET must be set to a real secret in production');
  }
  if (config.ROOM_STORE === 'redis' && !config.REDIS_URL) problems.push('ROOM_STORE=redis needs REDIS_URL');
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics on PORT)');
  }
  if (problems.length) throw new SessionConfigError(`Invalid session server configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
