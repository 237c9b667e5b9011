import pino, { type Logger } from 'pino';
import { BackendConfig } from '../config/backend.config';

/**
 * The backend's one pino logger: nestjs-pino writes Nest's and our services' lines through it, and
 * `logRequests` writes the request lines.
 */
export function createRootLogger(config: BackendConfig): Logger {
  return pino({
    level: config.LOG_LEVEL,
    // Pretty lines for a person at a terminal; JSON everywhere else.
    transport: !config.production && process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    redact: ['req.headers.authorization', `req.headers["x-internal-secret"]`],
  });
}
