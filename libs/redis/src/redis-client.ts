import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export interface RedisClientOptions {
  /** A command that gets no reply within this time rejects: bounds a Redis that hangs or is cut off. */
  commandTimeoutMs?: number;
}

/**
 * An ioredis client that fails fast, so HTTP calls turn into 503 rather than hang: while Redis
 * refuses connections, a command waits for at most one reconnect attempt (about 0.2 s) and rejects;
 * while Redis hangs or the network drops packets, `commandTimeoutMs` (2 s) bounds it. The timeout is
 * not shorter on purpose: it also fires when this process's event loop stalls, and a busy backend
 * should not turn its own slowness into 503s. It keeps reconnecting in the background and works
 * again as soon as Redis is back.
 */
export function createRedisClient(url: string, name: string, options: RedisClientOptions = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(url, {
    connectionName: name,
    // Commands issued while (re)connecting wait in the offline queue for one attempt, then reject.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 50, 200),
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
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
