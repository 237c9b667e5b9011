import { devSecretsIn } from '@app/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSessionConfig, SessionConfigError } from './load-session-config';

describe('loadSessionConfig', () => {
  it('gives every default without any variable', () => {
    const config = loadSessionConfig({});
    expect(config).toMatchObject({
      PORT: 8001,
      HOST: '127.0.0.1',
      BACKEND_URL: ['http://127.0.0.1:8081'],
      HEARTBEAT_INTERVAL_MS: 1000,
      MAX_ROOMS: 50,
      MAX_MEMBERS: 100,
      MAX_MESSAGE_LENGTH: 4000,
      MAX_FRAME_BYTES: 65536,
      HISTORY_LIMIT: 100,
      RESUME_LIMIT: 1000,
      RATE_PER_SECOND: 10,
      RATE_BURST: 40,
      FLOOD_CLOSE_AFTER: 50,
      TYPING_THROTTLE_MS: 1000,
      ROOM_IDLE_MS: 30000,
      SEND_BUFFER_LIMIT_BYTES: 1048576,
      ROOM_STORE: 'sqlite',
      DATA_DIR: './data',
      REDIS_KEY_PREFIX: 'rooms:',
      REDIS_HISTORY_MAX: 10000,
      LOG_LEVEL: 'warn',
    });
    expect(config.serverId).toBe('session-8001');
    expect(config.publicUrl).toBe('ws://127.0.0.1:8001');
    expect(config.ALLOWED_ORIGINS).toBeUndefined();
    expect(config.SESSION_TOKEN_PUBLIC_KEY).toBeUndefined();
  });

  it('reads and converts variables; ids and URLs follow the port', () => {
    const config = loadSessionConfig({ PORT: '9100', MAX_ROOMS: '3', ALLOWED_ORIGINS: 'https://a.example, https://b.example', ROOM_STORE: 'memory' });
    expect(config.PORT).toBe(9100);
    expect(config.MAX_ROOMS).toBe(3);
    expect(config.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.serverId).toBe('session-9100');
    expect(config.publicUrl).toBe('ws://127.0.0.1:9100');
  });

  it('treats empty values as unset and ignores unrelated variables', () => {
    expect(loadSessionConfig({ PORT: '', PATH: '/usr/bin', SERVER_ID: '' }).serverId).toBe('session-8001');
  });

  it('lists every invalid value in one error', () => {
    let error: unknown;
    try {
      loadSessionConfig({ PORT: 'abc', ROOM_STORE: 'mongo', MAX_MEMBERS: '0', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SessionConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'ROOM_STORE', 'MAX_MEMBERS', 'LOG_LEVEL']) expect(message).toContain(name);
  });

  it('refuses to start in production without INTERNAL_SECRET, naming it', () => {
    expect(() => loadSessionConfig({ NODE_ENV: 'production' })).toThrow(/INTERNAL_SECRET must be set in production/);
    expect(loadSessionConfig({ NODE_ENV: 'production', INTERNAL_SECRET: 'a-real-long-secret' }).production).toBe(true);
  });

  it('has no internal secret in the source: development makes one up, or shares the one kept in DATA_DIR', () => {
    const a = loadSessionConfig({}).INTERNAL_SECRET;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadSessionConfig({}).INTERNAL_SECRET).not.toBe(a);
    expect(a).not.toBe('dev-internal-secret');
    const dir = mkdtempSync(join(tmpdir(), 'session-config-'));
    try {
      const kept = loadSessionConfig({ DATA_DIR: dir }, { keepDevSecrets: true }).INTERNAL_SECRET;
      expect(loadSessionConfig({ DATA_DIR: dir }, { keepDevSecrets: true }).INTERNAL_SECRET).toBe(kept);
      expect(devSecretsIn(dir).secrets.INTERNAL_SECRET).toBe(kept);
      expect(loadSessionConfig({ DATA_DIR: dir, INTERNAL_SECRET: 'given-secret' }, { keepDevSecrets: true }).INTERNAL_SECRET).toBe('given-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a comma-separated list of backends and refuses one that is not an http(s) URL', () => {
    expect(loadSessionConfig({ BACKEND_URL: 'http://b1:8080, https://b2.example/ ,http://10.0.0.3:3000' }).BACKEND_URL).toEqual([
      'http://b1:8080',
      'https://b2.example/',
      'http://10.0.0.3:3000',
    ]);
    expect(() => loadSessionConfig({ BACKEND_URL: 'http://b1:8080,b2:8080' })).toThrow(/BACKEND_URL/);
    expect(() => loadSessionConfig({ BACKEND_URL: 'ftp://b1' })).toThrow(/BACKEND_URL/);
    expect(() => loadSessionConfig({ BACKEND_URL: ' , ' })).toThrow(/BACKEND_URL/);
  });

  it('needs REDIS_URL for the Redis store', () => {
    expect(() => loadSessionConfig({ ROOM_STORE: 'redis' })).toThrow(/REDIS_URL/);
  });

  it('takes HISTORY_RETENTION_DAYS (off by default) for the SQL stores only', () => {
    expect(loadSessionConfig({}).HISTORY_RETENTION_DAYS).toBeUndefined();
    expect(loadSessionConfig({ HISTORY_RETENTION_DAYS: '30' }).HISTORY_RETENTION_DAYS).toBe(30);
    expect(() => loadSessionConfig({ HISTORY_RETENTION_DAYS: '0' })).toThrow(/HISTORY_RETENTION_DAYS/);
    expect(() => loadSessionConfig({ HISTORY_RETENTION_DAYS: '30', ROOM_STORE: 'redis', REDIS_URL: 'redis://r' })).toThrow(
      /HISTORY_RETENTION_DAYS applies to ROOM_STORE=sqlite or postgres/,
    );
  });

  it('needs DATABASE_URL for the PostgreSQL store, and takes a pool size', () => {
    expect(() => loadSessionConfig({ ROOM_STORE: 'postgres' })).toThrow(/ROOM_STORE=postgres needs DATABASE_URL/);
    const config = loadSessionConfig({ ROOM_STORE: 'postgres', DATABASE_URL: 'postgres://u:p@db:5432/rooms', DATABASE_POOL_MAX: '4' });
    expect(config).toMatchObject({ ROOM_STORE: 'postgres', DATABASE_URL: 'postgres://u:p@db:5432/rooms', DATABASE_POOL_MAX: 4 });
    expect(() => loadSessionConfig({ ROOM_STORE: 'postgres', DATABASE_URL: 'postgres://db/rooms', DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
  });

  it('serves metrics on PORT unless METRICS_PORT names another port', () => {
    expect(loadSessionConfig({}).METRICS_PORT).toBeUndefined();
    expect(loadSessionConfig({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    expect(loadSessionConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(loadSessionConfig({ PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    for (const bad of ['abc', '-1', '70000', '1.5']) expect(() => loadSessionConfig({ METRICS_PORT: bad })).toThrow(/METRICS_PORT/);
    expect(() => loadSessionConfig({ PORT: '8001', METRICS_PORT: '8001' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});
