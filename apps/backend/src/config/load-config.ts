import { readEnvConfig } from '@app/config';
import { DEV_INTERNAL_SECRET } from '@app/shared';
import { BackendConfig, DEV_JWT_SECRET } from './backend.config';

const OPTIONAL_KEYS = ['SESSION_TOKEN_PRIVATE_KEY', 'REDIS_URL', 'SESSION_ENTRY', 'WEB_ROOT', 'METRICS_PORT', 'ADMIN_SECRET'];

// METRICS_PORT too: local session servers would all try to bind the backend's metrics port.
const NOT_FOR_SESSIONS = new Set(['JWT_SECRET', 'SESSION_TOKEN_PRIVATE_KEY', 'ADMIN_SECRET', 'PORT', 'HOST', 'METRICS_PORT', 'WEB_ROOT', 'SESSION_ENTRY']);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Builds and validates the config from an environment; throws one ConfigError listing every problem. */
export function loadBackendConfig(env: NodeJS.ProcessEnv): BackendConfig {
  const { config, problems } = readEnvConfig(BackendConfig, env, OPTIONAL_KEYS);
  if (config.SESSION_MIN > config.SESSION_MAX) problems.push('SESSION_MIN must not exceed SESSION_MAX');
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics on PORT)');
  }
  if (config.production) {
    if (config.JWT_SECRET === DEV_JWT_SECRET) problems.push('JWT_SECRET must be set to a real secret in production');
    if (config.INTERNAL_SECRET === DEV_INTERNAL_SECRET) problems.push('INTERNAL_SECRET must be set to a real secret in production');
    if (!config.SESSION_TOKEN_PRIVATE_KEY) problems.push('SESSION_TOKEN_PRIVATE_KEY (PEM, EC P-256) must be set in production');
  }
  config.sessionEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && !NOT_FOR_SESSIONS.has(e[0])));
  if (problems.length) throw new ConfigError(`Invalid backend configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
