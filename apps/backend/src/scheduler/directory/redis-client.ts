import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export interface RedisClientOptions {
  /** A command that gets no reply within this time rejects (also while reconnecting). */
  commandTimeoutMs?: number;
}

/**
 * An ioredis client that fails fast: while Redis is unreachable every command rejects within
 * `commandTimeoutMs` instead of waiting for a reconnect, so HTTP calls turn into 503 rather than hang.
 * It keeps reconnecting in the background and works again as soon as Redis is back.
 * (apps/session/src/store/redis-client.ts is the same file for the session app: apps do not import each other.)
 */
export function createRedisClient(url: string, name: string, options: RedisClientOptions = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(url, {
    connectionName: name,
    // Commands issued while connecting wait in the offline queue, but never longer than the timeout.
    enableOfflineQueue: true,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Log transitions, not every failed reconnect attempt.
  let healthy = true;
  client.on('error', (err: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.error(`redis unreachable: ${err.message}`);
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.log('redis reachable again');
  });
  return client;
}

/** Closes a client whatever its state: QUIT when connected, else drop the socket. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: the connection broke while quitting
    }
  }
  client.disconnect();
}
