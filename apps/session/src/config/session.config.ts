import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { commaList } from '@app/config';
import { DEFAULT_LIMITS } from '@app/shared';

export const ROOM_STORE_KINDS = ['memory', 'sqlite', 'redis', 'postgres'] as const;
export type RoomStoreKind = (typeof ROOM_STORE_KINDS)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every setting of a session server, read once from the environment at boot (table in
 * apps/session/CONFIG.md). Property names are the environment variable names. Defaults make one
 * server on one machine work without any variable set.
 */
export class SessionConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8001;

  @IsString()
  HOST = '127.0.0.1';

  /**
   * Port of a second listener (on HOST) that serves only `GET /metrics`, and then PORT does not:
   * clients reach PORT through the public route, scrapers reach this one. Unset: `/metrics` on
   * PORT. 0 = any free port.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /** Defaults to `session-${PORT}`. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  SERVER_ID?: string;

  /** Address clients connect to; defaults to `ws://127.0.0.1:${PORT}`. */
  @IsOptional()
  @IsString()
  PUBLIC_URL?: string;

  /**
   * Backends that take heartbeats, comma-separated (the replicas, or one Service/load-balancer URL):
   * their internal listeners (the backend's INTERNAL_PORT, default PORT + 1), not their public port.
   * Heartbeats go to one of them and fail over to the next when it does not answer.
   */
  @Transform(commaList)
  @IsArray()
  @ArrayMinSize(1, { message: 'BACKEND_URL must name at least one backend' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { each: true, message: 'BACKEND_URL must be comma-separated http(s) URLs' },
  )
  BACKEND_URL: string[] = ['http://127.0.0.1:8081'];

  /**
   * Shared secret of the internal heartbeat endpoint. Secret: never logged. Required in production;
   * in development the one kept in DATA_DIR (load-session-config.ts), so no value is in the source.
   */
  @IsOptional()
  @IsString()
  @MinLength(8)
  INTERNAL_SECRET!: string;

  /** PEM (SPKI) key that verifies session tokens; when unset it comes from the backend's heartbeat reply. */
  @IsOptional()
  @IsString()
  SESSION_TOKEN_PUBLIC_KEY?: string;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  HEARTBEAT_INTERVAL_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_ROOMS = 50;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_MEMBERS: number = DEFAULT_LIMITS.maxMembers;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_MESSAGE_LENGTH: number = DEFAULT_LIMITS.maxMessageLength;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  MAX_FRAME_BYTES: number = DEFAULT_LIMITS.maxFrameBytes;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  HISTORY_LIMIT: number = DEFAULT_LIMITS.historyLimit;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RESUME_LIMIT: number = DEFAULT_LIMITS.resumeLimit;

  @Type(() => Number)
  @Min(0.1)
  RATE_PER_SECOND: number = DEFAULT_LIMITS.ratePerSecond;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_BURST: number = DEFAULT_LIMITS.rateBurst;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  FLOOD_CLOSE_AFTER: number = DEFAULT_LIMITS.floodCloseAfter;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  TYPING_THROTTLE_MS = 1000;

  /**
   * A room with no socket for this long is released: it stores what it holds, leaves memory and
   * stops being reported, so the backend frees its slot; the next get-or-start places it again and
   * it is loaded from the store.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  ROOM_IDLE_MS = 30_000;

  /** Open sockets one user may have in one room on this server; one more is closed with 4429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_SOCKETS_PER_USER: number = DEFAULT_LIMITS.maxSocketsPerUser;

  /** Every socket is pinged this often; one that misses two pongs in a row is closed. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  PING_INTERVAL_MS = 15_000;

  /** An HTTP request (or WebSocket upgrade) whose headers and body have not all arrived within this time is answered 408 and closed. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_REQUEST_TIMEOUT_MS = 10_000;

  /** An idle keep-alive HTTP connection is closed after this long without a new request. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /** An HTTP connection (not yet a WebSocket) silent both ways for this long is closed. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_IDLE_TIMEOUT_MS = 120_000;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  SEND_BUFFER_LIMIT_BYTES = 1024 * 1024;

  @IsIn(ROOM_STORE_KINDS)
  ROOM_STORE: RoomStoreKind = 'sqlite';

  @IsString()
  DATA_DIR = './data';

  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'rooms:';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  REDIS_HISTORY_MAX = 10_000;

  /**
   * PostgreSQL of `ROOM_STORE=postgres` (`postgres://user:password@host:port/database`). Secret (it
   * may carry a password): never logged, no default.
   */
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  /** Connections each session server opens to PostgreSQL (one writes the group commits, the others load and page). */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(1000)
  DATABASE_POOL_MAX = 10;

  /**
   * SQL stores (sqlite, postgres) keep the whole history; with this set, a periodic job deletes
   * messages older than this many days (each room's newest stays: it carries the room's last seq).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HISTORY_RETENTION_DAYS?: number;

  /** Messages the memory store keeps per room (it would otherwise grow for the life of the process). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MEMORY_HISTORY_MAX = 10_000;

  /** Unset: any Origin. Otherwise upgrades with another Origin header are refused with 403. */
  @IsOptional()
  @Transform(commaList)
  @IsString({ each: true })
  ALLOWED_ORIGINS?: string[];

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'warn';

  get production(): boolean {
    return this.NODE_ENV === 'production';
  }

  get serverId(): string {
    return this.SERVER_ID ?? `session-${this.PORT}`;
  }

  get publicUrl(): string {
    return this.PUBLIC_URL ?? `ws://127.0.0.1:${this.PORT}`;
  }
}
