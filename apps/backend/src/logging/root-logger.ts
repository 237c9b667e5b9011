import pino, { type DestinationStream, type Logger } from 'pino';
import { BackendConfig } from '../config/backend.config';

/**
 * The backend's one pino logger: nestjs-pino writes Nest's and our services' lines through it, and
 * `logRequests` writes the request lines. To stdout unless given a destination (tests).
 */
export function createRootLogger(config: BackendConfig, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    redact: ['req.headers.authorization', `req.headers["x-internal-secret"]`],
  };
  if (destination) return pino(options, destination);
  // Pretty lines for a person at a terminal; JSON everywhere else.
  const pretty = !config.production && process.stdout.isTTY;
  return pino(pretty ? { ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } } : options);
}
