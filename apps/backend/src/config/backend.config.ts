import { commaList } from '@app/config';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, Validate } from 'class-validator';
import { TrustedProxies } from './trusted-proxies.validator';

export enum ProvisionerKind {
  None = 'none',
  Local = 'local',
}

/**
 * Every setting of the backend, read once from the environment at boot (the table in docs/configuration.md).
 * Defaults make `npm start` work on one machine.
 */
export class BackendConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '127.0.0.1';

  /**
   * Port of a second listener (on HOST) that serves only `GET /metrics`, and then PORT does not:
   * in a cluster the scrapers reach it and the public route to PORT cannot. Unset: `/metrics` on
   * PORT. 0 = any free port.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /**
   * Secret for access tokens (HS256). Marked secret: never logged. Required in production; in
   * development and tests one is generated (load-config.ts), so no value is written in the source.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  JWT_SECRET!: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  ACCESS_TOKEN_TTL_S = 12 * 3600;

  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(3600)
  SESSION_TOKEN_TTL_S = 60;

  /** PEM (PKCS#8) EC P-256 private key that signs session tokens; generated per start when unset (dev only). */
  @IsOptional()
  @IsString()
  SESSION_TOKEN_PRIVATE_KEY?: string;

  /** Shared secret of the internal heartbeat endpoint. Required in production; generated like JWT_SECRET otherwise. */
  @IsOptional()
  @IsString()
  @MinLength(8)
  INTERNAL_SECRET!: string;

  /**
   * Port of the internal listener, which alone serves the session servers' heartbeats (never PORT,
   * the public one). Unset: PORT + 1, or 0 (any free port) when PORT is 0.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  INTERNAL_PORT?: number;

  /** Address of the internal listener: loopback unless session servers on other hosts must reach it. */
  @IsString()
  INTERNAL_HOST = '127.0.0.1';

  /** When set, the directory lives in Redis (many backend replicas); otherwise in this process. */
  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'rooms:';

  @Type(() => Number)
  @IsInt()
  @Min(500)
  HEARTBEAT_TTL_MS = 5000;

  @Type(() => Number)
  @IsInt()
  @Min(1000)
  ROOM_TTL_MS = 24 * 3600 * 1000;

  /** Where the embedded default keeps its rooms (and the session servers their history). */
  @IsString()
  DATA_DIR = './data';

  /** Rooms of the memory directory: `sqlite` (in DATA_DIR, survives restarts) or `memory`. Unused with REDIS_URL. */
  @IsIn(['sqlite', 'memory'])
  ROOM_CATALOG: 'sqlite' | 'memory' = 'sqlite';

  @IsEnum(ProvisionerKind)
  PROVISIONER: ProvisionerKind = ProvisionerKind.Local;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(64)
  SESSION_MIN = 2;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  SESSION_MAX = 8;

  /** First port tried for local session servers; 0 = any free port. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  SESSION_BASE_PORT = 8001;

  /** Rooms per local session server (its MAX_ROOMS). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SESSION_MAX_ROOMS = 50;

  /** A local session server above SESSION_MIN with no connection for this long is stopped. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  SESSION_IDLE_STOP_MS = 120_000;

  /** Start one more local session server when every live one is at least this full (0..1). */
  @Type(() => Number)
  @Min(0)
  @Max(1)
  SESSION_SCALE_UP_AT = 0.8;

  /** Entry file of the session server the local provisioner runs; default: beside this backend's build. */
  @IsOptional()
  @IsString()
  SESSION_ENTRY?: string;

  /**
   * Node flags for the session servers the local provisioner runs, space-separated. The defaults
   * size V8's heap for a server that keeps rooms in memory: a 4 MB young generation (V8 grows it
   * to 16 MB: longer young-generation pauses, and more RSS per idle connection) and a 256 MB
   * initial old generation, so full GCs do not run every few seconds while the rooms' history
   * grows (each stalled the event loop 30–100 ms on a busy core), and no memory reducer: an idle
   * server's heap-shrinking full GC (47 ms, ~17 s after start) took the core that the backend and
   * the other session servers of this machine share, and stalled them. docs/bench/capacity.md.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value))
  @Matches(/^--[a-z][\w-]*(=\S+)?$/, { each: true, message: 'SESSION_NODE_ARGS must be Node flags such as --max-semi-space-size=4' })
  SESSION_NODE_ARGS: string[] = ['--max-semi-space-size=4', '--initial-old-space-size=256', '--no-memory-reducer'];

  /** Built web app served at `/`; default: dist/apps/web/browser beside this build. */
  @IsOptional()
  @IsString()
  WEB_ROOT?: string;

  /** Allowed browser origins for CORS; empty = same origin only. */
  @Transform(commaList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /**
   * Proxies whose X-Forwarded-For names the client (rate limits and logs go by the client's
   * address): empty = none, the socket's peer is the client; a number = that many proxy hops;
   * otherwise addresses, CIDR ranges or the names `loopback`, `linklocal`, `uniquelocal`. Behind an
   * ingress without it, every client has the ingress's address and they share one rate limit.
   */
  @Transform(commaList)
  @Validate(TrustedProxies)
  TRUST_PROXY: string[] = [];

  /**
   * Logins and room creations allowed per client address per minute (each route counted apart).
   * 0 turns the per-address limit off (a gateway in front limits per address; the load bench). The
   * per-user quotas stay.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  HTTP_RATE_LIMIT_PER_MIN = 120;

  /** Rooms one user (access token `sub`) may create per hour; one more is answered 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ROOMS_PER_USER_PER_HOUR = 20;

  /**
   * New guest identities (`POST /api/login` without a still-valid previous token) one client address
   * may get per hour; one more is answered 429. A returning user keeps their id and is not counted.
   * Without it, logging in again multiplied every per-user quota. 0 = no limit.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  GUESTS_PER_ADDRESS_PER_HOUR = 30;

  /**
   * Rooms one client address may create per hour, whoever it logs in as (beside the per-user quota);
   * one more is answered 429. Twice the per-user default: two people behind one address each get
   * their own quota, but new logins do not buy more. 0 = no limit.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  ROOMS_PER_ADDRESS_PER_HOUR = 40;

  /** Get-or-start calls one user may make per minute; one more is answered 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SESSIONS_PER_USER_PER_MIN = 120;

  /**
   * Secret of `POST /api/admin/login` (an access token with the admin role). Unset: in production
   * there is no admin; in development one is generated and printed once at start.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  ADMIN_SECRET?: string;

  /** A request whose headers and body have not all arrived within this time is answered 408 and closed. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_REQUEST_TIMEOUT_MS = 10_000;

  /** An idle keep-alive connection is closed after this long without a new request. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

  /** A connection on which nothing at all is received or sent for this long is closed. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  HTTP_IDLE_TIMEOUT_MS = 120_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'warn';

  /**
   * Environment handed to local session servers: this process's environment minus the backend's own
   * secrets and listener settings (a session server must never see the signing key).
   */
  sessionEnv: Record<string, string> = {};

  get production(): boolean {
    return this.NODE_ENV === 'production';
  }

  /** Port the internal listener binds (0: any free one). */
  get internalPort(): number {
    return this.INTERNAL_PORT ?? (this.PORT === 0 ? 0 : this.PORT + 1);
  }

  /**
   * Whether this backend keeps anything in DATA_DIR: its room catalog (the embedded default), or
   * local session servers' history. Only then are development secrets kept there too.
   */
  get usesDataDir(): boolean {
    return (this.ROOM_CATALOG === 'sqlite' && !this.REDIS_URL) || this.PROVISIONER === ProvisionerKind.Local;
  }
}

/** Keys never printed, in logs or in error messages. */
export const SECRET_KEYS: readonly (keyof BackendConfig)[] = ['JWT_SECRET', 'SESSION_TOKEN_PRIVATE_KEY', 'INTERNAL_SECRET', 'ADMIN_SECRET'];
