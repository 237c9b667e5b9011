export const POSTGRES_MISSING: string;

export interface PostgresServerHandle {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Stops it at once (immediate shutdown: no checkpoint, as a crash), keeping its data. */
  kill(): Promise<void>;
  /** Starts it again on the same data and port (after `kill`). */
  start(): Promise<void>;
  /** `kill` then `start`: stops it at once, as a crash would (no checkpoint), and starts it again on the same data and port. */
  restart(): Promise<void>;
}

export interface PostgresServerOptions {
  /** The directory holding initdb and postgres (default: found on PATH or in /usr/lib/postgresql). */
  bin?: string;
  /** fsync on (default off: tests need commits that survive a killed server, not a power cut). */
  durable?: boolean;
}

export function findPostgresBin(): string | null;
export function startPostgresServer(options?: PostgresServerOptions): Promise<PostgresServerHandle>;
