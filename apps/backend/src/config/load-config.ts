import { devSecretsIn, generateDevSecrets, readEnvConfig } from '@app/config';
import { BackendConfig } from './backend.config';

const OPTIONAL_KEYS = [
  'SESSION_TOKEN_PRIVATE_KEY',
  'REDIS_URL',
  'SESSION_ENTRY',
  'WEB_ROOT',
  'METRICS_PORT',
  'ADMIN_SECRET',
  'JWT_SECRET',
  'INTERNAL_SECRET',
  'INTERNAL_PORT',
];

// METRICS_PORT and INTERNAL_PORT too: local session servers would all try to bind the backend's ports.
const NOT_FOR_SESSIONS = new Set([
  'JWT_SECRET',
  'SESSION_TOKEN_PRIVATE_KEY',
  'ADMIN_SECRET',
  'PORT',
  'HOST',
  'METRICS_PORT',
  'INTERNAL_PORT',
  'INTERNAL_HOST',
  'WEB_ROOT',
  'SESSION_ENTRY',
]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadBackendConfigOptions {
  /**
   * Keep generated development secrets in DATA_DIR (main.ts), so a restart keeps logins valid.
   * Off (tests, tools): generated per call, nothing written.
   */
  keepDevSecrets?: boolean;
}

/** Builds and validates the config from an environment; throws one ConfigError listing every problem. */
export function loadBackendConfig(env: NodeJS.ProcessEnv, options: LoadBackendConfigOptions = {}): BackendConfig {
  const { config, problems } = readEnvConfig(BackendConfig, env, OPTIONAL_KEYS);
  if (config.SESSION_MIN > config.SESSION_MAX) problems.push('SESSION_MIN must not exceed SESSION_MAX');
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics on PORT)');
  }
  const internal = config.internalPort;
  if (internal > 65535) problems.push(`INTERNAL_PORT must be set: its default, PORT + 1, is ${internal}`);
  if (internal !== 0 && (internal === config.PORT || internal === config.METRICS_PORT)) {
    problems.push('INTERNAL_PORT must differ from PORT and METRICS_PORT (heartbeats have a listener of their own)');
  }
  if (config.production) {
    // Named one by one: an operator reads which variable to set, and nothing is made up in production.
    if (!config.JWT_SECRET) problems.push('JWT_SECRET must be set in production (a random secret, the same on every backend replica)');
    if (!config.INTERNAL_SECRET) problems.push('INTERNAL_SECRET must be set in production (a random secret, the same on the backends and session servers)');
    if (!config.SESSION_TOKEN_PRIVATE_KEY) problems.push('SESSION_TOKEN_PRIVATE_KEY (PEM, EC P-256) must be set in production');
  } else if (!problems.length && (!config.JWT_SECRET || !config.INTERNAL_SECRET)) {
    try {
      const made = options.keepDevSecrets && config.usesDataDir ? devSecretsIn(config.DATA_DIR).secrets : generateDevSecrets();
      config.JWT_SECRET ??= made.JWT_SECRET;
      config.INTERNAL_SECRET ??= made.INTERNAL_SECRET;
    } catch (err) {
      problems.push(`development secrets: ${(err as Error).message}`);
    }
  }
  config.sessionEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && !NOT_FOR_SESSIONS.has(e[0])));
  if (problems.length) throw new ConfigError(`Invalid backend configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
