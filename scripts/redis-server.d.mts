export const REDIS_SERVER_MISSING: string;

export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server and waits for it to exit; its data is gone unless it is `persistent`. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty unless `persistent`). */
  start(): Promise<void>;
}

export interface RedisServerOptions {
  /** The binary (default: found on PATH). */
  binary?: string;
  /** Keep data across `stop`/`start` (append-only file, fsync on every write, in a temp dir). */
  persistent?: boolean;
  /** More addresses to listen on besides 127.0.0.1 (a test's network namespace host side). */
  alsoBind?: string[];
}

export function findRedisServer(): string | null;
export function startRedisServer(options?: RedisServerOptions): Promise<RedisServerHandle>;
